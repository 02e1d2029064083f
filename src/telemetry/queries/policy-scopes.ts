/**
 * Named query over `policy_scopes` (migration 012).
 *
 * currentPolicyScopes(reader, namespace, now)
 *   in:  the queue namespace and the current time (epoch ms)
 *   out: every opt-out and maintenance window of that namespace whose newest row is not removed and whose end is
 *        after `now` (or absent), newest first: {id, kind, scope_kind, scope_id, start_ts, end_ts, actor, note, ts}.
 */
import type { TelemetryReader } from '../reader.js';

export interface PolicyScopeRow {
  readonly id: string;
  readonly kind: string;
  readonly scope_kind: string;
  readonly scope_id: string;
  readonly start_ts: number | null;
  readonly end_ts: number | null;
  readonly actor: string;
  readonly note: string | null;
  readonly ts: number;
  readonly removed: number;
}

export async function currentPolicyScopes(
  reader: TelemetryReader,
  namespace: string,
  now: number,
): Promise<PolicyScopeRow[]> {
  const rows = await reader.query<PolicyScopeRow>(
    'SELECT id, kind, scope_kind, scope_id, start_ts, end_ts, actor, note, ts, removed FROM policy_scopes ' +
      'WHERE namespace = $1 LATEST ON ts PARTITION BY id',
    [namespace],
  );
  return rows
    .filter((r) => Number(r.removed) !== 1 && (r.end_ts === null || Number(r.end_ts) > now))
    .sort((a, b) => Number(b.ts) - Number(a.ts));
}
