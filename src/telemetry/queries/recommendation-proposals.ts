/**
 * Named query over `recommendations` (migration 004, namespace from 011).
 *
 * proposals(reader, namespace, from, to)
 *   in:  the queue namespace (the store's key prefix) and a range (epoch ms, [from, to))
 *   out: every `proposed` history row of that namespace in the range (one per occurrence): {ts, id, type, target,
 *        rack, evidence}, oldest first, at most 100,000.
 */
import { bindAll, isoUtc } from '../pg-pool.js';
import type { TelemetryReader } from '../reader.js';

export interface ProposalRow {
  readonly ts: number;
  readonly id: string;
  readonly type: string;
  readonly target: string;
  readonly rack: string | null;
  readonly evidence: string | null;
}

/**
 * latestOutcomes(reader, ids)
 *   in:  recommendation ids
 *   out: the newest operator outcome of each that has one (`recommendation_outcomes`, migration 010): id → outcome.
 */
export async function latestOutcomes(reader: TelemetryReader, ids: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const params: unknown[] = [];
    const rows = await reader.query<{ id: string; outcome: string }>(
      `SELECT id, outcome FROM recommendation_outcomes WHERE id IN (${bindAll(params, chunk)}) ` +
        'LATEST ON ts PARTITION BY id',
      params,
    );
    for (const r of rows) out.set(r.id, r.outcome);
  }
  return out;
}

export function proposals(
  reader: TelemetryReader,
  namespace: string,
  from: number,
  to: number,
): Promise<ProposalRow[]> {
  return reader.query<ProposalRow>(
    "SELECT ts, id, type, target, rack, evidence FROM recommendations WHERE namespace = $1 AND status = 'proposed' " +
      'AND ts >= $2 AND ts < $3 ORDER BY ts LIMIT 100000',
    [namespace, isoUtc(from), isoUtc(to)],
  );
}
