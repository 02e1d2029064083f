/**
 * Named query over `recommendations` (migration 004), the durable history of every recommendation's status.
 *
 * lastRecordedStatus(reader, namespace, id)
 *   in:  the queue namespace (the store's key prefix, migration 011) and a recommendation id (the policy's action id)
 *   out: its newest history row {status, ts, actor, occurrences}, or undefined when QuestDB has none.
 *        `occurrences` counts its `proposed` rows (each reopening adds one).
 * Used when Redis has no record of an id: a decision stored here (approved, rejected, executed, ...) must not be
 * proposed again as new just because Redis lost its live state.
 */
import type { TelemetryReader } from '../reader.js';

export interface RecordedStatus {
  /** A recommendation status (src/queue/recommendation-store.ts). */
  readonly status: string;
  readonly ts: number;
  readonly actor: string;
  readonly occurrences: number;
}

export async function lastRecordedStatus(
  reader: TelemetryReader,
  namespace: string,
  id: string,
): Promise<RecordedStatus | undefined> {
  const rows = await reader.query<{ status: string; ts: number; actor: string; proposals: number }>(
    `SELECT last(status) status, max(ts) ts, last(actor) actor, sum(CASE WHEN status = 'proposed' THEN 1 ELSE 0 END) proposals
     FROM (SELECT ts, status, actor FROM recommendations WHERE namespace = $1 AND id = $2 ORDER BY ts)`,
    [namespace, id],
  );
  const r = rows[0];
  if (!r?.status) return undefined;
  return { status: r.status, ts: Number(r.ts), actor: r.actor ?? '', occurrences: Math.max(1, Number(r.proposals)) };
}
