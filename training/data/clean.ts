/**
 * Cleaning before windows are cut: duplicate timestamps dropped (the last record wins, as QuestDB's DEDUP UPSERT
 * would), gaps on the sample grid filled up to a limit and split beyond it (so no window spans an outage),
 * missing cells filled the same way, constant columns dropped. Everything done is counted in a report that the
 * model metadata can carry.
 */
import { AppError } from '../../src/errors.js';
import type { CleaningSummary } from '../../src/features/model-metadata.js';
import type { Dataset, EntitySeries } from './types.js';

export interface CleanOptions {
  /** How short gaps and missing cells are filled (default 'linear'). */
  readonly fill?: 'linear' | 'ffill';
  /** Gaps of up to this many missing samples (and runs of missing cells up to this long) are filled (default 3). */
  readonly maxFillSteps?: number;
  /** Beyond maxFillSteps: 'split' the entity into segments `<entity>#2`, ... (default) or 'fill' anyway. */
  readonly beyondMaxGap?: 'split' | 'fill';
  /** Drop columns with one value (or none) across the whole dataset (default true). */
  readonly dropConstant?: boolean;
  /**
   * Also drop near-constant columns: one value in at least this share of the rows (default 1: only constant ones).
   * Run-to-failure training uses 0.95: such a column carries no degradation trend, only a rare flicker.
   */
  readonly nearConstantShare?: number;
  /** Segments with fewer rows are dropped (e.g. the window length; default 1). */
  readonly minRows?: number;
}

/** A `CleaningSummary` (src/features/model-metadata.ts): cleanDataset also sets it as `dataset.source.cleaning`. */
export interface CleaningReport extends Omit<CleaningSummary, 'options'> {
  readonly options: Required<CleanOptions>;
}

export interface WarnLogger {
  warn(obj: object, msg: string): void;
}

interface Counts {
  duplicatesDropped: number;
  gapsFilled: number;
  rowsInserted: number;
  gapsSplit: number;
  nanCellsFilled: number;
  rowsDropped: number;
}

/** Rows as plain arrays while cleaning; converted back to typed arrays at the end. */
interface Rows {
  ts: number[];
  vals: number[][];
  labels?: number[];
}

function dedupe(e: EntitySeries, width: number, c: Counts): Rows {
  const rows: Rows = { ts: [], vals: [], labels: e.labels ? [] : undefined };
  const n = e.series.ts.length;
  for (let i = 0; i < n; i++) {
    const row = Array.from(e.series.values.subarray(i * width, (i + 1) * width));
    const last = rows.ts.length - 1;
    if (last >= 0 && rows.ts[last] === e.series.ts[i]) {
      c.duplicatesDropped++;
      rows.vals[last] = row;
      if (rows.labels && e.labels) rows.labels[last] = e.labels[i];
      continue;
    }
    rows.ts.push(e.series.ts[i]);
    rows.vals.push(row);
    rows.labels?.push(e.labels![i]);
  }
  return rows;
}

/** Put rows on the sample grid: short gaps get NaN rows (filled later); long gaps cut segments. */
function regularise(r: Rows, period: number, o: Required<CleanOptions>, c: Counts): Rows[] {
  const width = r.vals[0]?.length ?? 0;
  const segments: Rows[] = [];
  let cur: Rows = { ts: [], vals: [], labels: r.labels ? [] : undefined };
  for (let i = 0; i < r.ts.length; i++) {
    if (i > 0) {
      const d = r.ts[i] - r.ts[i - 1];
      const missing = Math.round(d / period) - 1;
      if (missing > 0 && (missing <= o.maxFillSteps || o.beyondMaxGap === 'fill')) {
        c.gapsFilled++;
        c.rowsInserted += missing;
        for (let k = 1; k <= missing; k++) {
          cur.ts.push(r.ts[i - 1] + (k * d) / (missing + 1));
          cur.vals.push(new Array(width).fill(Number.NaN));
          cur.labels?.push(r.labels![i - 1]);
        }
      } else if (missing > 0) {
        c.gapsSplit++;
        segments.push(cur);
        cur = { ts: [], vals: [], labels: r.labels ? [] : undefined };
      }
    }
    cur.ts.push(r.ts[i]);
    cur.vals.push(r.vals[i]);
    cur.labels?.push(r.labels![i]);
  }
  segments.push(cur);
  return segments;
}

/** Fill runs of NaN in each column up to maxFillSteps; rows left with NaN are dropped (and cut the segment). */
function fillMissing(r: Rows, cols: readonly number[], o: Required<CleanOptions>, c: Counts): Rows[] {
  const n = r.ts.length;
  const bad = new Uint8Array(n);
  for (const f of cols) {
    let i = 0;
    while (i < n) {
      if (!Number.isNaN(r.vals[i][f])) {
        i++;
        continue;
      }
      let j = i;
      while (j < n && Number.isNaN(r.vals[j][f])) j++;
      const before = i > 0 ? r.vals[i - 1][f] : undefined;
      const after = j < n ? r.vals[j][f] : undefined;
      const limit = o.beyondMaxGap === 'fill' ? Number.POSITIVE_INFINITY : o.maxFillSteps;
      if (j - i <= limit && (before !== undefined || after !== undefined)) {
        for (let k = i; k < j; k++) {
          const frac = (k - i + 1) / (j - i + 1);
          r.vals[k][f] =
            before === undefined
              ? after!
              : after === undefined || o.fill === 'ffill'
                ? before
                : before + (after - before) * frac;
          c.nanCellsFilled++;
        }
      } else for (let k = i; k < j; k++) bad[k] = 1;
      i = j;
    }
  }
  const out: Rows[] = [];
  let cur: Rows | undefined;
  for (let i = 0; i < n; i++) {
    if (bad[i]) {
      c.rowsDropped++;
      cur = undefined;
      continue;
    }
    if (!cur) {
      cur = { ts: [], vals: [], labels: r.labels ? [] : undefined };
      out.push(cur);
    }
    cur.ts.push(r.ts[i]);
    cur.vals.push(r.vals[i]);
    cur.labels?.push(r.labels![i]);
  }
  return out;
}

/** Columns whose most common value fills at least `share` of the non-missing rows. */
function nearConstantColumns(ds: Dataset, share: number, skip: readonly number[]): number[] {
  const width = ds.features.length;
  const out: number[] = [];
  for (let f = 0; f < width; f++) {
    if (skip.includes(f)) continue;
    const counts = new Map<number, number>();
    let n = 0;
    for (const e of ds.entities) {
      const v = e.series.values;
      for (let i = f; i < v.length; i += width) {
        if (Number.isNaN(v[i])) continue;
        counts.set(v[i], (counts.get(v[i]) ?? 0) + 1);
        n++;
      }
    }
    const top = [...counts.values()].reduce((m, c) => Math.max(m, c), 0);
    if (n > 0 && top / n >= share) out.push(f);
  }
  return out;
}

function constantColumns(ds: Dataset): number[] {
  const width = ds.features.length;
  const out: number[] = [];
  for (let f = 0; f < width; f++) {
    let first = Number.NaN;
    let constant = true;
    for (const e of ds.entities) {
      const v = e.series.values;
      for (let i = f; i < v.length && constant; i += width) {
        if (Number.isNaN(v[i])) continue;
        if (Number.isNaN(first)) first = v[i];
        else if (v[i] !== first) constant = false;
      }
    }
    if (constant) out.push(f);
  }
  return out;
}

/**
 * Clean a dataset (see the options). An irregularly sampled file (gaps everywhere: NAB's traffic sensors) would
 * split into fragments shorter than a window; when splitting keeps less than half of the rows, the gaps are filled
 * instead (linear, as short gaps are) and a warning says so (only for 10 or more split gaps, or when no segment
 * is left at all). `beyondMaxGap: 'split'` given explicitly never falls back.
 */
export function cleanDataset(
  ds: Dataset,
  opts: CleanOptions = {},
  log?: WarnLogger,
): { dataset: Dataset; report: CleaningReport } {
  if (opts.beyondMaxGap !== undefined) return cleanOnce(ds, opts, log);
  const quiet: string[] = [];
  const collect: WarnLogger = { warn: (_o, m) => quiet.push(m) };
  let split: { dataset: Dataset; report: CleaningReport } | undefined;
  try {
    split = cleanOnce(ds, { ...opts, beyondMaxGap: 'split' }, collect);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
  }
  // Only many split gaps mean irregular sampling; rows lost to missing cells keep their split.
  if (split && (split.report.rowsOut >= 0.5 * split.report.rowsIn || split.report.gapsSplit < 10)) {
    for (const m of quiet) log?.warn({}, m);
    return split;
  }
  const msg = `irregular sampling: splitting at gaps over ${opts.maxFillSteps ?? 3} samples would keep ${split?.report.rowsOut ?? 0} of ${ds.entities.reduce((n, e) => n + e.series.ts.length, 0)} rows, so every gap is filled on the ${ds.samplePeriodMs} ms grid instead`;
  log?.warn({}, msg);
  const filled = cleanOnce(ds, { ...opts, beyondMaxGap: 'fill' }, log);
  return { ...filled, report: { ...filled.report, warnings: [msg, ...filled.report.warnings] } };
}

function cleanOnce(ds: Dataset, opts: CleanOptions, log?: WarnLogger): { dataset: Dataset; report: CleaningReport } {
  const o: Required<CleanOptions> = {
    fill: opts.fill ?? 'linear',
    maxFillSteps: opts.maxFillSteps ?? 3,
    beyondMaxGap: opts.beyondMaxGap ?? 'split',
    dropConstant: opts.dropConstant ?? true,
    nearConstantShare: opts.nearConstantShare ?? 1,
    minRows: opts.minRows ?? 1,
  };
  const warnings: string[] = [];
  const c: Counts = {
    duplicatesDropped: 0,
    gapsFilled: 0,
    rowsInserted: 0,
    gapsSplit: 0,
    nanCellsFilled: 0,
    rowsDropped: 0,
  };
  const constant = o.dropConstant ? constantColumns(ds) : [];
  const near = o.dropConstant && o.nearConstantShare < 1 ? nearConstantColumns(ds, o.nearConstantShare, constant) : [];
  const dropped = [...constant, ...near].sort((a, b) => a - b);
  const keep = ds.features.map((_, f) => f).filter((f) => !dropped.includes(f));
  const constantColumnsDropped = dropped.map((f) => ds.features[f]);
  if (constant.length > 0) {
    const names = constant.map((f) => ds.features[f]);
    const msg = `dropped constant column(s): ${names.join(', ')} (one value, or none, in every row)`;
    warnings.push(msg);
    log?.warn({ columns: names }, msg);
  }
  if (near.length > 0) {
    const names = near.map((f) => ds.features[f]);
    const msg = `dropped near-constant column(s): ${names.join(', ')} (one value in at least ${o.nearConstantShare * 100} % of the rows)`;
    warnings.push(msg);
    log?.warn({ columns: names, share: o.nearConstantShare }, msg);
  }
  if (keep.length === 0) {
    throw new AppError(
      'VALIDATION_FAILED',
      `every feature column is constant (${ds.features.join(', ')}); nothing to learn from`,
    );
  }
  const features = keep.map((f) => ds.features[f]);
  const width = ds.features.length;
  let segmentsDropped = 0;
  let rowsIn = 0;
  const entities: EntitySeries[] = [];
  for (const e of ds.entities) {
    rowsIn += e.series.ts.length;
    const deduped = dedupe(e, width, c);
    const segments = regularise(deduped, ds.samplePeriodMs, o, c).flatMap((s) => fillMissing(s, keep, o, c));
    let k = 0;
    for (const s of segments) {
      if (s.ts.length < o.minRows) {
        segmentsDropped++;
        c.rowsDropped += s.ts.length;
        continue;
      }
      k++;
      const values = new Float64Array(s.ts.length * keep.length);
      s.vals.forEach((row, i) => {
        keep.forEach((f, j) => {
          values[i * keep.length + j] = row[f];
        });
      });
      const ts = Float64Array.from(s.ts);
      entities.push({
        entity: k === 1 ? e.entity : `${e.entity}#${k}`,
        segmentOf: e.entity,
        series: { ts, values, features },
        labels: s.labels ? Uint8Array.from(s.labels) : undefined,
        ttf: e.failureTs !== undefined ? ts.map((t) => (e.failureTs! - t) / ds.samplePeriodMs) : undefined,
        failureTs: e.failureTs,
      });
    }
  }
  if (segmentsDropped > 0) {
    const msg = `dropped ${segmentsDropped} segment(s) shorter than ${o.minRows} rows`;
    warnings.push(msg);
    log?.warn({ segmentsDropped, minRows: o.minRows }, msg);
  }
  if (entities.length === 0) {
    throw new AppError('VALIDATION_FAILED', `no segment has at least ${o.minRows} rows after cleaning`, {
      minRows: o.minRows,
    });
  }
  const rowsOut = entities.reduce((s, e) => s + e.series.ts.length, 0);
  const report: CleaningReport = {
    rowsIn,
    rowsOut,
    ...c,
    segmentsDropped,
    constantColumnsDropped,
    warnings,
    options: o,
  };
  // The report travels with the source, so a model.json written from this dataset records how it was prepared.
  const cleaning: CleaningSummary = report;
  return { dataset: { ...ds, source: { ...ds.source, cleaning }, features, entities }, report };
}
