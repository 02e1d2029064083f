/**
 * A generic CSV as a training dataset: one time (or step) column, numeric feature columns, optionally an entity
 * column (device, unit), a 0/1 label column, or run-to-failure data (each entity's last record is its failure).
 * Every problem is an AppError('VALIDATION_FAILED') that names the column, line and value at fault.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../../src/errors.js';
import { type CsvTable, readCsvTable, readCsvTableText } from './csv-frame.js';
import { describeColumns } from './describe.js';
import { detectTimeColumn, parseNumber, readTimeColumn } from './time-column.js';
import type { Dataset, EntitySeries, TimeKind } from './types.js';

export interface CsvOptions {
  /** Time or step column; detected by name (ts, timestamp, time, step, cycle ...) or ISO dates in column 1. */
  readonly timeColumn?: string;
  /** Force how the time column is read (default: detected from its values). */
  readonly timeKind?: TimeKind;
  /** What one step of a step column stands for, ms (default 1000). */
  readonly stepMs?: number;
  /** IANA zone of zone-less ISO timestamps (default UTC, whatever the machine's zone). */
  readonly timeZone?: string;
  /** Entity column(s), comma-separated (`node,gpu` → `node/gpu`); detected by name (device, unit, engine, id ...,
   *  or node + gpu) unless `false`. */
  readonly entityColumn?: string | false;
  /** 0/1 label column; detected by name (label, anomaly, is_anomaly, fault) unless `false`. */
  readonly labelColumn?: string | false;
  /** Feature columns in order (default: every other column that holds numbers). */
  readonly features?: readonly string[];
  /** Columns to leave out of the default feature list (e.g. free text). */
  readonly ignore?: readonly string[];
  /** Each entity's last record is its failure: fill `ttf` (samples to failure) and `failureTs`. */
  readonly runToFailure?: boolean;
  /** Every entity must have at least this many rows (the window length). */
  readonly minRows?: number;
  readonly delimiter?: string;
}

const ENTITY_NAMES = [
  'device',
  'device_id',
  'entity',
  'entity_id',
  'unit',
  'unit_id',
  'unit_number',
  'engine',
  'engine_id',
  'machine',
  'machine_id',
  'id',
];
const LABEL_NAMES = ['label', 'anomaly', 'is_anomaly', 'fault', 'labels'];

function findColumn(
  header: readonly string[],
  given: string | false | undefined,
  names: readonly string[],
  what: string,
) {
  if (given === false) return undefined;
  if (given !== undefined) {
    if (!header.includes(given)) {
      throw new AppError(
        'VALIDATION_FAILED',
        `${what} column "${given}" not found; columns present: ${header.join(', ')}`,
        {
          column: given,
          columns: header,
        },
      );
    }
    return given;
  }
  return header.find((h) => names.includes(h.toLowerCase()));
}

/** Entity columns: the given ones (comma-separated), a conventional name, `node` + `gpu`, or none. */
function entityColumnsOf(header: readonly string[], given: string | false | undefined): string[] {
  if (given === false) return [];
  if (given !== undefined) {
    return given
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean)
      .map((c) => findColumn(header, c, [], 'entity')!);
  }
  const named = findColumn(header, undefined, ENTITY_NAMES, 'entity');
  if (named) return [named];
  return header.includes('node') && header.includes('gpu') ? ['node', 'gpu'] : [];
}

function isTextColumn(rows: readonly (readonly string[])[], c: number): boolean {
  let seen = false;
  for (const r of rows) {
    const n = parseNumber(r[c]);
    if (n === undefined) seen = true;
    else if (!Number.isNaN(n)) return false;
  }
  return seen;
}

function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A CSV table (csv-frame.ts) as a dataset. `sourceName` is recorded as `csv:<sourceName>`. */
export function datasetFromTable(table: CsvTable, opts: CsvOptions = {}, sourceName = 'inline'): Dataset {
  const { header, rows, lines, text } = table;
  const timeColumn = opts.timeColumn ?? detectTimeColumn(header, rows);
  findColumn(header, timeColumn, [], 'time');
  const entityColumns = entityColumnsOf(header, opts.entityColumn);
  const entityColumn = entityColumns.length > 0 ? entityColumns.join(',') : undefined;
  const labelColumn = findColumn(header, opts.labelColumn, LABEL_NAMES, 'label');
  const reserved = new Set([timeColumn, ...entityColumns, labelColumn, ...(opts.ignore ?? [])]);
  // By default every other column is a feature, except text columns (cluster, model names): a column with no
  // numeric value at all is left out and reported, while a stray text cell in a numeric column is an error.
  const candidates = header.filter((h) => !reserved.has(h));
  const textColumns = opts.features ? [] : candidates.filter((h) => isTextColumn(rows, header.indexOf(h)));
  const features = opts.features ? [...opts.features] : candidates.filter((h) => !textColumns.includes(h));
  for (const f of features) findColumn(header, f, [], 'feature');
  if (features.length === 0) {
    throw new AppError(
      'VALIDATION_FAILED',
      `CSV has no feature columns besides ${[...reserved].filter(Boolean).join(', ')}`,
      {
        columns: header,
      },
    );
  }
  const col = (name: string) => header.indexOf(name);
  const ti = col(timeColumn);
  const stepMs = opts.stepMs ?? 1000;
  const time = readTimeColumn(
    rows.map((r) => r[ti]),
    timeColumn,
    lines,
    { kind: opts.timeKind, stepMs, timeZone: opts.timeZone },
  );
  const width = features.length;
  const fi = features.map(col);
  const values = new Float64Array(rows.length * width);
  const labels = labelColumn !== undefined ? new Uint8Array(rows.length) : undefined;
  const li = labelColumn !== undefined ? col(labelColumn) : -1;
  for (let r = 0; r < rows.length; r++) {
    for (let f = 0; f < width; f++) {
      const raw = rows[r][fi[f]];
      const n = parseNumber(raw);
      if (n === undefined) {
        throw new AppError(
          'VALIDATION_FAILED',
          `line ${lines[r]}: column "${features[f]}" has "${raw}", not a number`,
          {
            line: lines[r],
            column: features[f],
            value: raw,
          },
        );
      }
      values[r * width + f] = n;
    }
    if (labels) {
      const raw = rows[r][li].trim().toLowerCase();
      const n = raw === '' ? 0 : Number(raw); // '1', '1.0', 'true'
      const v = raw === 'true' || n === 1 ? 1 : raw === 'false' || n === 0 ? 0 : -1;
      if (v < 0) {
        throw new AppError(
          'VALIDATION_FAILED',
          `line ${lines[r]}: label column "${labelColumn}" has "${rows[r][li]}", not 0 or 1`,
          {
            line: lines[r],
            column: labelColumn,
            value: rows[r][li],
          },
        );
      }
      labels[r] = v;
    }
  }
  // Group rows by entity, keeping first-seen order of entities, then sort each by time (stable).
  const groups = new Map<string, number[]>();
  const ei = entityColumns.map(col);
  for (let r = 0; r < rows.length; r++) {
    // Several entity columns (node, gpu) join with '/', which gives the product's device id `node/gpu`.
    const key = ei.length > 0 ? ei.map((i) => rows[r][i].trim()).join('/') : 'all';
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  const diffs: number[] = [];
  const sorted = [...groups].map(([entity, idx]) => {
    idx.sort((a, b) => time.ms[a] - time.ms[b] || a - b);
    for (let i = 1; i < idx.length && diffs.length < 100_000; i++) {
      const d = time.ms[idx[i]] - time.ms[idx[i - 1]];
      if (d > 0) diffs.push(d);
    }
    return { entity, idx };
  });
  const samplePeriodMs = time.kind === 'step' ? stepMs : median(diffs) || stepMs;
  const entities: EntitySeries[] = sorted.map(({ entity, idx }) => {
    if (opts.minRows !== undefined && idx.length < opts.minRows) {
      throw new AppError(
        'VALIDATION_FAILED',
        `${entityColumn ? `entity "${entity}" has` : 'CSV has'} ${idx.length} rows, fewer than the window length ${opts.minRows}`,
        { entity, rows: idx.length, window: opts.minRows },
      );
    }
    const ts = Float64Array.from(idx, (r) => time.ms[r]);
    const vals = new Float64Array(idx.length * width);
    idx.forEach((r, i) => {
      vals.set(values.subarray(r * width, (r + 1) * width), i * width);
    });
    const failureTs = opts.runToFailure ? ts[ts.length - 1] : undefined;
    return {
      entity,
      series: { ts, values: vals, features },
      labels: labels ? Uint8Array.from(idx, (r) => labels[r]) : undefined,
      ttf: failureTs !== undefined ? ts.map((t) => (failureTs - t) / samplePeriodMs) : undefined,
      failureTs,
    };
  });
  return {
    source: { kind: `csv:${sourceName}`, rows: rows.length, sha256: createHash('sha256').update(text).digest('hex') },
    timeColumn,
    timeKind: time.kind,
    samplePeriodMs,
    features,
    entityColumn,
    labelColumn,
    textColumns,
    runToFailure: opts.runToFailure === true,
    entities,
  };
}

/** Read a CSV file into a dataset (see `datasetFromTable`). */
export async function loadCsv(path: string, opts: CsvOptions = {}): Promise<Dataset> {
  return described(datasetFromTable(await readCsvTable(path, { delimiter: opts.delimiter }), opts, path));
}

/** The dataset with its columns described in `source.columns` (training/data/describe.ts). */
async function described(ds: Dataset): Promise<Dataset> {
  return { ...ds, source: { ...ds.source, columns: await describeColumns(ds) } };
}

/** CSV text as a dataset, read by the same danfojs-node path as a file (tests, inline uploads). */
export async function readCsvDataset(text: string, opts: CsvOptions = {}, sourceName = 'inline'): Promise<Dataset> {
  return described(datasetFromTable(await readCsvTableText(text, { delimiter: opts.delimiter }), opts, sourceName));
}
