/**
 * Named query over `recommendations` (migration 004, namespace from 011).
 *
 * proposals(reader, namespace, from, to)
 *   in:  the queue namespace (the store's key prefix) and a range (epoch ms, [from, to))
 *   out: every `proposed` history row of that namespace in the range (one per occurrence): {ts, id, type, target,
 *        rack, evidence}, oldest first, at most 100,000.
 */
import { isoUtc } from '../pg-pool.js';
import type { TelemetryReader } from '../reader.js';

export interface ProposalRow {
  readonly ts: number;
  readonly id: string;
  readonly type: string;
  readonly target: string;
  readonly rack: string | null;
  readonly evidence: string | null;
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
