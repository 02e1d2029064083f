/**
 * Fault labels from the field: what an operator, an RMA, a ticket or the hardware itself (an XID) says failed, and
 * when. They land in `fault_labels` (migration 001, source/note/recommendation_id from 010) beside the simulator's
 * ground truth, so retraining and evaluation learn from what really happened in the data centre.
 *
 * Row shape (API body and CSV header alike): `{device, fault_type, start, failure?, source, note?, cluster?, rack?,
 * node?, gpu?, xid?}`; `start`/`failure` are epoch ms or ISO-8601 with a zone; no `failure` means a degradation that
 * was caught before the device failed. A batch is validated whole, every problem named as `{row, field, reason}`.
 */
import type { RowError } from '../errors.js';
import { FAULT_TYPES } from './catalogue.js';
import { MAX_ROW_ERRORS, parseTs, symbolProblem } from './validate-rows.js';
import type { TableRow } from './writer.js';

/** Where a label came from. `xid` labels are written by the product itself (src/telemetry/xid-labels.ts). */
export const LABEL_SOURCES = ['operator', 'rma', 'ticket', 'xid', 'simulator'] as const;
export type LabelSource = (typeof LABEL_SOURCES)[number];

/**
 * The simulator's fault types plus the hardware failures the field reports that no simulated fault stands for
 * (XID 79, 95, a failed row remap), and `other` for what fits none of them.
 */
export const LABEL_FAULT_TYPES = [
  ...FAULT_TYPES,
  'gpu_fell_off_bus',
  'uncontained_ecc',
  'row_remap_failure',
  'other',
] as const;
export type LabelFaultType = (typeof LABEL_FAULT_TYPES)[number];

/** A free-text note: bounded, one line (the line protocol and reports keep it readable). */
export const MAX_NOTE_CHARS = 2_000;

export interface FieldLabel {
  /** `node/gpu` for a GPU, the rack for a facility fault, the job id for a straggler. */
  readonly device: string;
  readonly faultType: LabelFaultType;
  /** Epoch ms: the first symptom (the row's designated timestamp, part of the dedup key). */
  readonly start: number;
  /** Epoch ms when the device failed; absent when the degradation was caught before it failed. */
  readonly failure?: number;
  readonly source: LabelSource;
  readonly note: string;
  readonly cluster?: string;
  readonly rack?: string;
  readonly node?: string;
  readonly gpu?: string;
  /** The XID that reported it, else 0. */
  readonly xid: number;
  /** The recommendation a `confirmed` outcome turned into this label. */
  readonly recommendationId?: string;
}

export interface LabelValidation {
  readonly labels: FieldLabel[];
  readonly errors: RowError[];
  readonly truncated: boolean;
}

const FIELDS = new Set([
  'device',
  'fault_type',
  'start',
  'failure',
  'source',
  'note',
  'cluster',
  'rack',
  'node',
  'gpu',
  'xid',
]);
const PLACE = ['cluster', 'rack', 'node', 'gpu'] as const;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u0008\u000a-\u001f\u007f]/;
const absent = (v: unknown) => v === undefined || v === null;
const oneOf = (list: readonly string[]) => `must be one of ${list.join(', ')}`;

export function validateLabels(input: readonly unknown[]): LabelValidation {
  const errors: RowError[] = [];
  let total = 0;
  const fail = (row: number, field: string, reason: string) => {
    total++;
    if (errors.length < MAX_ROW_ERRORS) errors.push({ row, field, reason });
  };
  const labels: FieldLabel[] = [];
  input.forEach((raw, i) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      fail(i, '', 'row must be a JSON object');
      return;
    }
    const before = total;
    const label = checkRow(raw as Record<string, unknown>, (field, reason) => fail(i, field, reason));
    if (total === before && label) labels.push(label);
  });
  return { labels: errors.length === 0 ? labels : [], errors, truncated: total > errors.length };
}

function checkRow(obj: Record<string, unknown>, fail: (field: string, reason: string) => void): FieldLabel | undefined {
  for (const key of Object.keys(obj)) if (!FIELDS.has(key)) fail(key, 'unknown field for a fault label');
  const symbol = (field: string, required: boolean): string | undefined => {
    const v = obj[field];
    if (absent(v)) {
      if (required) fail(field, 'required');
      return undefined;
    }
    const problem = symbolProblem(v);
    if (problem) fail(field, problem);
    return problem ? undefined : (v as string);
  };
  const device = symbol('device', true);
  const faultType = symbol('fault_type', true);
  if (faultType && !(LABEL_FAULT_TYPES as readonly string[]).includes(faultType))
    fail('fault_type', oneOf(LABEL_FAULT_TYPES));
  const source = symbol('source', true);
  if (source && !(LABEL_SOURCES as readonly string[]).includes(source)) fail('source', oneOf(LABEL_SOURCES));
  const start = absent(obj.start) ? 'required' : parseTs(obj.start);
  if (typeof start === 'string') fail('start', start);
  const failure = absent(obj.failure) ? undefined : parseTs(obj.failure);
  if (typeof failure === 'string') fail('failure', failure);
  else if (failure !== undefined && typeof start === 'number' && failure < start)
    fail('failure', 'must not be before start');
  const place: Partial<Record<(typeof PLACE)[number], string>> = {};
  for (const f of PLACE) place[f] = symbol(f, false);
  // A GPU device id names its node and GPU: fill them in, and refuse a row that contradicts itself.
  const [node, gpu, extra] = device?.split('/') ?? [];
  if (device && gpu !== undefined && extra === undefined) {
    if (place.node && place.node !== node) fail('node', `contradicts device "${device}"`);
    if (place.gpu && place.gpu !== gpu) fail('gpu', `contradicts device "${device}"`);
    place.node ??= node;
    place.gpu ??= gpu;
  }
  let note = '';
  if (!absent(obj.note)) {
    if (typeof obj.note !== 'string') fail('note', 'must be a string');
    else if (obj.note.length > MAX_NOTE_CHARS) fail('note', `must be at most ${MAX_NOTE_CHARS} characters`);
    else if (CONTROL_CHARS.test(obj.note)) fail('note', 'must not contain control characters (NUL, newline, ...)');
    else note = obj.note;
  }
  let xid = 0;
  if (!absent(obj.xid)) {
    if (typeof obj.xid !== 'number' || !Number.isSafeInteger(obj.xid) || obj.xid < 0)
      fail('xid', 'must be a non-negative integer');
    else xid = obj.xid;
  }
  if (!device || !faultType || !source || typeof start !== 'number' || typeof failure === 'string') return undefined;
  return {
    device,
    faultType: faultType as LabelFaultType,
    start,
    ...(failure !== undefined ? { failure } : {}),
    source: source as LabelSource,
    note,
    ...Object.fromEntries(Object.entries(place).filter(([, v]) => v !== undefined)),
    xid,
  };
}

/** The `fault_labels` row of a label; no failure_ts for a degradation caught before failure. */
export function fieldLabelRow(l: FieldLabel): TableRow {
  const symbols: Record<string, string> = { device: l.device, fault_type: l.faultType, source: l.source };
  for (const f of PLACE) if (l[f]) symbols[f] = l[f] as string;
  if (l.recommendationId) symbols.recommendation_id = l.recommendationId;
  return {
    ts: l.start,
    symbols,
    longs: { xid: l.xid },
    strings: { note: l.note },
    ...(l.failure !== undefined ? { timestamps: { failure_ts: l.failure } } : {}),
  };
}
