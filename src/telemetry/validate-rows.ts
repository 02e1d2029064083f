/**
 * Validate a JSON batch of telemetry rows against the catalogue, collecting every problem as `{row, field, reason}`
 * so a client can fix the whole batch at once. A batch with any error is rejected whole by the caller.
 *
 * Row shape: `{ ts, <symbols>..., <fields>... }` flat, e.g.
 * `{"ts":"2026-11-28T06:00:00Z","cluster":"c0","node":"c0-r0-n0","gpu":"0","gpu_temp_c":61.5}`.
 * `ts` is epoch milliseconds or an ISO-8601 string with a zone. A field that is absent or null is stored as null.
 */
import type { RowError } from '../errors.js';
import { TELEMETRY_TABLES, type TelemetryRow, type TelemetryTable } from './catalogue.js';

/** Errors reported per batch at most: enough to fix a systematic mistake, bounded for huge batches. */
export const MAX_ROW_ERRORS = 100;
/** Timestamps outside [2000, 2100) are almost certainly in the wrong unit (seconds or microseconds). */
const MIN_TS = Date.UTC(2000, 0, 1);
const MAX_TS = Date.UTC(2100, 0, 1);
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

export interface ValidationResult {
  readonly rows: TelemetryRow[];
  readonly errors: RowError[];
  /** True when more errors existed than were listed. */
  readonly truncated: boolean;
}

/** The calendar fields of an ISO string, to catch dates that `Date.parse` rolls over (2026-02-30 → 2 March). */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?/;

function inRange(ms: number, shown: string): number | string {
  if (ms < MIN_TS || ms >= MAX_TS) return `${shown} is outside 2000..2100 (seconds or microseconds?)`;
  return ms;
}

/** Epoch ms from epoch ms or an ISO-8601 string with a zone, or why the value is not a timestamp. */
export function parseTs(v: unknown): number | string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return 'must be a finite number of epoch milliseconds';
    return inRange(v, `epoch milliseconds ${v}`);
  }
  if (typeof v === 'string') {
    if (!ISO_WITH_ZONE.test(v)) return `"${v}" is not an ISO-8601 timestamp with a zone (e.g. 2026-11-28T06:00:00Z)`;
    const ms = Date.parse(v);
    if (Number.isNaN(ms)) return `"${v}" cannot be parsed as a timestamp`;
    const [, y, mo, d, h, mi, sec = '0'] = ISO_DATE.exec(v) ?? [];
    const probe = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec)));
    if (
      probe.getUTCDate() !== Number(d) ||
      probe.getUTCHours() !== Number(h) ||
      probe.getUTCMinutes() !== Number(mi) ||
      probe.getUTCSeconds() !== Number(sec)
    )
      return `"${v}" is not a real calendar date and time`;
    return inRange(ms, `"${v}"`);
  }
  return 'required: epoch milliseconds or ISO-8601 string';
}

/** Control characters (NUL, and the rest of C0 but tab) break QuestDB's line protocol or make unreadable symbols. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** Why a symbol value cannot be stored, or undefined when it can. */
export function symbolProblem(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length === 0 || v.length > 128)
    return 'must be a non-empty string of at most 128 characters';
  if (CONTROL_CHARS.test(v)) return 'must not contain control characters (NUL, newline, ...)';
  return undefined;
}

export function validateRows(table: TelemetryTable, input: readonly unknown[]): ValidationResult {
  const spec = TELEMETRY_TABLES[table];
  const fieldTypes = new Map(spec.fields.map((f) => [f.name, f.type]));
  const symbols = new Set(spec.symbols);
  const errors: RowError[] = [];
  let total = 0;
  const fail = (row: number, field: string, reason: string) => {
    total++;
    if (errors.length < MAX_ROW_ERRORS) errors.push({ row, field, reason });
  };
  const rows: TelemetryRow[] = [];

  input.forEach((raw, i) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      fail(i, '', 'row must be a JSON object');
      return;
    }
    const obj = raw as Record<string, unknown>;
    const before = total;
    const ts = parseTs(obj.ts);
    if (typeof ts === 'string') fail(i, 'ts', ts);
    const rowSymbols: Record<string, string> = {};
    const values: Record<string, number> = {};
    for (const s of spec.requiredSymbols) if (obj[s] === undefined || obj[s] === null) fail(i, s, 'required');
    // Object.keys, not entries: one array per row instead of one per field (10k-row batches on the ingest path).
    for (const key of Object.keys(obj)) {
      if (key === 'ts') continue;
      const v = obj[key];
      if (symbols.has(key)) {
        if (v === null || v === undefined) continue;
        const problem = symbolProblem(v);
        if (problem) fail(i, key, problem);
        else rowSymbols[key] = v as string;
        continue;
      }
      const type = fieldTypes.get(key);
      if (!type) {
        fail(i, key, `unknown field for ${table}`);
        continue;
      }
      if (v === null) continue;
      if (typeof v !== 'number') fail(i, key, `must be a number, got ${typeof v === 'string' ? `"${v}"` : typeof v}`);
      else if (!Number.isFinite(v)) fail(i, key, 'must be finite');
      else if (type === 'long' && !Number.isSafeInteger(v)) fail(i, key, `must be an integer, got ${v}`);
      else values[key] = v;
    }
    if (total === before) rows.push({ ts: ts as number, symbols: rowSymbols, values });
  });
  return { rows: errors.length === 0 ? rows : [], errors, truncated: total > errors.length };
}
