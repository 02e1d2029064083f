/**
 * Named query over `recommendations` (migration 004), the durable history of every recommendation's status.
 *
 * lastRecordedStatuses(reader, namespace, ids)
 *   in:  the queue namespace (the store's key prefix, migration 011) and recommendation ids (the policy's action ids)
 *   out: per id QuestDB has history for, its newest history row {status, ts, actor, occurrences}; ids without
 *        history are absent. `occurrences` counts its `proposed` rows (each reopening adds one). One query for a
 *        whole decision's actions.
 * Used when Redis has no record of an id: a decision stored here (approved, rejected, executed, ...) must not be
 * proposed again as new just because Redis lost its live state.
 */
import { bindAll } from '../pg-pool.js';
import type { TelemetryReader } from '../reader.js';

export interface RecordedStatus {
  /** A recommendation status (src/queue/recommendation-store.ts). */
  readonly status: string;
  readonly ts: number;
  readonly actor: string;
  readonly occurrences: number;
}

export async function lastRecordedStatuses(
  reader: TelemetryReader,
  namespace: string,
  ids: readonly string[],
): Promise<Map<string, RecordedStatus>> {
  const out = new Map<string, RecordedStatus>();
  if (ids.length === 0) return out;
  const params: unknown[] = [namespace];
  const rows = await reader.query<{ id: string; status: string; ts: number; actor: string; proposals: number }>(
    `SELECT id, last(status) status, max(ts) ts, last(actor) actor,
       sum(CASE WHEN status = 'proposed' THEN 1 ELSE 0 END) proposals
     FROM (SELECT ts, id, status, actor FROM recommendations
           WHERE namespace = $1 AND id IN (${bindAll(params, ids)}) ORDER BY ts)
     GROUP BY id`,
    params,
  );
  for (const r of rows) {
    if (!r.status) continue;
    out.set(r.id, {
      status: r.status,
      ts: Number(r.ts),
      actor: r.actor ?? '',
      occurrences: Math.max(1, Number(r.proposals)),
    });
  }
  return out;
}
