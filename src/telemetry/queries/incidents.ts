/**
 * Named query over `fault_labels` for the repeat-offender rule (src/recommend/rules/repeat-offenders.ts).
 *
 * incidentsBetween(reader, {from, to})
 *   in:  a range [from, to) on the label's start (epoch ms)
 *   out: the field's incidents (labels from operators, RMA, tickets, XIDs; a `confirmed` outcome is one of them,
 *        linked by recommendation_id), oldest first. The simulator's ground truth (source `simulator`, or none:
 *        rows from before migration 010) trains and evaluates models but is no incident in a data centre.
 */
import type { Incident } from '../../recommend/types.js';
import { isoUtc } from '../pg-pool.js';
import type { TelemetryReader } from '../reader.js';

interface IncidentRow {
  ts: Date | string | number;
  device: string;
  node: string | null;
  fault_type: string;
  source: string;
  recommendation_id: string | null;
}

export async function incidentsBetween(
  reader: TelemetryReader,
  q: { from: number; to: number; limit?: number },
): Promise<Incident[]> {
  const limit = Math.max(1, Math.min(Math.trunc(q.limit ?? 20_000), 100_000));
  const rows = await reader.query<IncidentRow>(
    'SELECT ts, device, node, fault_type, source, recommendation_id FROM fault_labels ' +
      `WHERE ts >= $1 AND ts < $2 AND source IS NOT NULL AND source != 'simulator' ORDER BY ts LIMIT ${limit}`,
    [isoUtc(q.from), isoUtc(q.to)],
  );
  return rows.map((r) => ({
    device: r.device,
    node: r.node || r.device.split('/')[0],
    ts: new Date(r.ts).getTime(),
    faultType: r.fault_type,
    source: r.source,
    ...(r.recommendation_id ? { recommendationId: r.recommendation_id } : {}),
  }));
}
