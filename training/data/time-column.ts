/**
 * Finding and reading the time column of a CSV: ISO-8601 text, epoch seconds, epoch milliseconds or an integer
 * step. Epoch units are told apart by magnitude: a number of seconds since 1970 passes 1e8 in 1973 and a number
 * of milliseconds passes 1e11 in 1973, so any plausible timestamp lands unambiguously on one side.
 */
import { AppError } from '../../src/errors.js';
import type { TimeKind } from './types.js';

const TIME_NAMES = [
  'ts',
  'timestamp',
  'time',
  'datetime',
  'date',
  'epoch',
  'unix_time',
  'step',
  'cycle',
  'time_cycles',
  'cycles',
  't',
];

const MISSING = new Set(['', 'nan', 'na', 'null', 'none', '?']);
/** Empty and NaN-like cells are missing values (NaN), left for cleaning; anything else must be a number. */
export function parseNumber(raw: string): number | undefined {
  const s = raw.trim();
  if (MISSING.has(s.toLowerCase())) return Number.NaN;
  const n = Number(s);
  return Number.isNaN(n) ? undefined : n;
}

/** Column name of the time axis: a conventional name, column 1 if it holds dates, or a name containing time/date. */
export function detectTimeColumn(header: readonly string[], rows: readonly (readonly string[])[]): string {
  for (const name of TIME_NAMES) {
    const hit = header.find((h) => h.toLowerCase() === name);
    if (hit) return hit;
  }
  const probe = rows.slice(0, 20).map((r) => r[0]);
  if (probe.every((v) => Number.isNaN(Number(v)) && !Number.isNaN(Date.parse(v)))) return header[0];
  // Then a name that says it: `event_time`, `Timestamp (UTC)`, `date_hour`.
  const named = header.find((h) => /time|date/i.test(h));
  if (named) return named;
  throw new AppError(
    'VALIDATION_FAILED',
    `no time column found (looked for ${TIME_NAMES.join(', ')}, a name containing time or date, or dates in the first column); columns present: ${header.join(', ')}; pass timeColumn`,
    { columns: header },
  );
}

/** ISO-8601 date or date-time without a zone designator (`Z`, `+02:00`): `2014-04-10 07:15:00.000000`. */
const ZONELESS = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?)?$/;

/** Offset of `timeZone` from UTC at instant `ms`, in ms (wall clock − UTC). */
function zoneOffsetMs(timeZone: string, ms: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(ms / 1000) * 1000;
}

/** Throws a VALIDATION_FAILED naming the zone when `timeZone` is not an IANA zone this runtime knows. */
export function checkTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new AppError(
      'VALIDATION_FAILED',
      `unknown time zone "${timeZone}" (expected an IANA name, e.g. Europe/Paris)`,
    );
  }
}

/**
 * Epoch ms of a time cell. A zone-less ISO date-time is wall-clock time in `timeZone`, UTC when none is given
 * (never the machine's zone: a file must read the same everywhere); a cell with a zone designator is exact.
 */
export function parseTimeCell(raw: string, timeZone?: string): number {
  const v = raw.trim();
  const m = ZONELESS.exec(v);
  if (!m) return Date.parse(v);
  const fraction = m[3] ? m[3].slice(0, 4).padEnd(4, '0') : '';
  const asUtc = Date.parse(`${m[1]}T${m[2] ?? '00:00'}${m[2]?.length === 5 ? ':00' : ''}${fraction}Z`);
  if (!timeZone || timeZone === 'UTC' || !Number.isFinite(asUtc)) return asUtc;
  // Wall time → instant: subtract the zone's offset, re-evaluated once at the result (DST edges).
  const first = asUtc - zoneOffsetMs(timeZone, asUtc);
  return asUtc - zoneOffsetMs(timeZone, first);
}

export interface TimeValues {
  readonly kind: TimeKind;
  /** Epoch ms (for a step column: step × stepMs). */
  readonly ms: Float64Array;
}

/** Read a time column to epoch ms; `lines` gives the file line of each row for error messages. */
export function readTimeColumn(
  values: readonly string[],
  column: string,
  lines: readonly number[],
  opts: { kind?: TimeKind; stepMs: number; timeZone?: string },
): TimeValues {
  if (opts.timeZone) checkTimeZone(opts.timeZone);
  const nums = values.map((v) => (v.trim() === '' ? Number.NaN : Number(v)));
  const allNumeric = nums.every((n) => Number.isFinite(n));
  let kind = opts.kind;
  if (!kind) {
    if (!allNumeric) kind = 'iso';
    else {
      const max = nums.reduce((m, n) => Math.max(m, Math.abs(n)), 0);
      kind = max >= 1e11 ? 'epoch_ms' : max >= 1e8 ? 'epoch_s' : 'step';
    }
  }
  const ms = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    let v: number;
    if (kind === 'iso') v = parseTimeCell(values[i], opts.timeZone);
    else v = nums[i] * (kind === 'epoch_s' ? 1000 : kind === 'step' ? opts.stepMs : 1);
    if (!Number.isFinite(v)) {
      throw new AppError(
        'VALIDATION_FAILED',
        `line ${lines[i]}: time column "${column}" has "${values[i]}", not ${kind === 'iso' ? 'a date' : 'a number'}`,
        { line: lines[i], column, value: values[i] },
      );
    }
    ms[i] = v;
  }
  return { kind, ms };
}
