/**
 * Named query over `remediation_actions` (the execution audit, migrations 004 and 007).
 *
 * listActions(reader, filter)
 *   in:  optional actionId, target, type, result, a time range (epoch ms or ISO, [from, to)) and a limit (1..1000)
 *   out: the matching audit rows, newest first (then the highest attempt first), every column as stored.
 */
import type { TelemetryReader } from '../reader.js';

export interface ActionFilter {
  readonly actionId?: string;
  readonly target?: string;
  readonly type?: string;
  readonly result?: string;
  readonly from?: string | number;
  readonly to?: string | number;
  readonly limit?: number;
}

export function listActions<Row = Record<string, unknown>>(reader: TelemetryReader, f: ActionFilter): Promise<Row[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (column: string, op: string, v: unknown) => {
    params.push(v);
    where.push(`${column} ${op} $${params.length}`);
  };
  if (f.actionId) add('action_id', '=', f.actionId);
  if (f.target) add('target', '=', f.target);
  if (f.type) add('type', '=', f.type);
  if (f.result) add('result', '=', f.result);
  if (f.from) add('ts', '>=', new Date(f.from).toISOString());
  if (f.to) add('ts', '<', new Date(f.to).toISOString());
  const limit = Math.min(1000, Math.max(1, Math.floor(f.limit ?? 100)));
  return reader.query<Row>(
    `SELECT * FROM remediation_actions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ` +
      `ORDER BY ts DESC, attempt DESC LIMIT ${limit}`,
    params,
  );
}
