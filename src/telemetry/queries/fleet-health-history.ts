/**
 * Named query over `fleet_health` (migration 009), the recorded fleet health score.
 *
 * fleetHealthHistory(reader, {from, to, cluster?})
 *   in:  a time range [from, to) in epoch ms; a cluster name, or none for the fleet-wide rows
 *   out: the recorded rows, oldest first (at most MAX_POINTS; the newest are kept when there are more):
 *        {ts, scope, cluster, score (null: no GPUs), gpus, healthy, degraded, at_risk, failing, drained, unknown}
 */
import { isoUtc } from '../pg-pool.js';
import type { TelemetryReader } from '../reader.js';

export interface FleetHealthRow {
  ts: number;
  scope: string;
  cluster: string;
  score: number | null;
  gpus: number;
  healthy: number;
  degraded: number;
  at_risk: number;
  failing: number;
  drained: number;
  unknown: number;
}

export const MAX_HISTORY_POINTS = 10_000;

export async function fleetHealthHistory(
  reader: TelemetryReader,
  q: { from: number; to: number; cluster?: string },
): Promise<FleetHealthRow[]> {
  const rows = await reader.query<FleetHealthRow>(
    `SELECT ts, scope, cluster, score, gpus, healthy, degraded, at_risk, failing, drained, unknown
     FROM fleet_health WHERE ts >= $1 AND ts < $2 AND scope = $3 AND cluster = $4
     ORDER BY ts DESC LIMIT ${MAX_HISTORY_POINTS}`,
    [isoUtc(q.from), isoUtc(q.to), q.cluster === undefined ? 'fleet' : 'cluster', q.cluster ?? '*'],
  );
  return rows.reverse();
}
