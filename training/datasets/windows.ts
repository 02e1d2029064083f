/**
 * Window datasets for the sequence models: time split per entity (eval's splitDataset, with a gap of one window
 * so no window straddles two parts), scaler fitted on training rows only, windows cut by the SAME
 * `anomalyWindows` serving uses, and per window: its entity, end time, and worst row status.
 */

import { AppError } from '../../src/errors.js';
import { deriveSeries } from '../../src/features/derived.js';
import { anomalyWindows, type WindowMeta } from '../../src/features/model-inputs.js';
import { fitScaler, type ScalerParams } from '../../src/features/scaler.js';
import { splitDataset } from '../data/split.js';
import type { Dataset, EntitySeries } from '../data/types.js';
import { ROW_DOWN, ROW_HEALTHY, type TrainingData } from './entities.js';

export interface WindowSet {
  /** `count × length × width` scaled windows. */
  readonly x: Float32Array;
  readonly count: number;
  readonly length: number;
  readonly width: number;
  readonly endTs: Float64Array;
  /** Row index (in its part) of each window's last row. */
  readonly endIndex: Int32Array;
  /** Index into `entities` of each window. */
  readonly entityIndex: Int32Array;
  /** Worst row status inside each window (0 healthy, 1 symptom, 2 down). */
  readonly status: Uint8Array;
  /** Time-to-failure in samples at each window's last row, when the source gives it (run-to-failure). */
  readonly ttf?: Float64Array;
  readonly entities: readonly string[];
}

export interface WindowSplitOptions {
  readonly features: readonly string[];
  readonly windowLength: number;
  /** Keep every k-th window of the training part (windows overlap heavily; k > 1 trades little for speed). */
  readonly trainStride: number;
  /** Stride of validation and test windows. @defaultValue trainStride */
  readonly evalStride?: number;
  /** @defaultValue {train: 0.7, validation: 0.15, test: 0.15} */
  readonly fractions?: { readonly train: number; readonly validation: number; readonly test: number };
  /** Which training rows fit the scaler: all usable rows, or healthy rows only (anomaly detector). */
  readonly scalerRows: 'usable' | 'healthy';
  /** A window is kept when this returns true (after striding); default: always. `i`: its index at stride 1. */
  readonly keep?: (status: number, entity: string, endTs: number, i: number) => boolean;
}

export interface WindowSplits {
  readonly scaler: ScalerParams;
  readonly train: WindowSet;
  readonly validation: WindowSet;
  readonly test: WindowSet;
  /** Rows the scaler was fitted on. */
  readonly scalerRowCount: number;
}

function asDataset(data: TrainingData): Dataset {
  return {
    source: data.source,
    timeColumn: 'ts',
    timeKind: 'epoch_ms',
    samplePeriodMs: data.samplePeriodMs,
    features: data.fields,
    runToFailure: data.runToFailure,
    entities: data.entities,
  };
}

/** Scaler over derived features of the chosen training rows (never validation/test rows). */
function fitOnRows(train: readonly EntitySeries[], features: readonly string[], rows: 'usable' | 'healthy') {
  const width = features.length;
  const chunks: Float64Array[] = [];
  let total = 0;
  for (const e of train) {
    const d = deriveSeries(e.series, features);
    const n = d.ts.length;
    const picked = new Float64Array(n * width);
    let k = 0;
    for (let t = 0; t < n; t++) {
      const code = e.labels?.[t] ?? ROW_HEALTHY;
      if (code === ROW_DOWN || (rows === 'healthy' && code !== ROW_HEALTHY)) continue;
      picked.set(d.values.subarray(t * width, (t + 1) * width), k * width);
      k++;
    }
    chunks.push(picked.subarray(0, k * width));
    total += k;
  }
  if (total === 0) throw new AppError('VALIDATION_FAILED', `no ${rows} training rows to fit the scaler on`);
  const all = new Float64Array(total * width);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.length;
  }
  return { scaler: fitScaler(all, width), rows: total };
}

function cut(parts: readonly EntitySeries[], meta: WindowMeta, stride: number, o: WindowSplitOptions): WindowSet {
  const T = meta.windowLength;
  const width = meta.features.length;
  const xs: Float32Array[] = [];
  const endTs: number[] = [];
  const endIndex: number[] = [];
  const entityIndex: number[] = [];
  const status: number[] = [];
  const ttf: number[] = [];
  const names = parts.map((p) => p.entity);
  parts.forEach((part, e) => {
    if (part.series.ts.length < T) return;
    const w = anomalyWindows(part.series, meta, 1);
    const size = T * width;
    const picked = new Float32Array(Math.ceil(w.count / stride) * size);
    let k = 0;
    // Align the stride to the window end so the last window (what serving scores) is always included.
    for (let i = (w.count - 1) % stride; i < w.count; i += stride) {
      const end = w.endIndex[i];
      let worst = 0;
      for (let r = end - T + 1; r <= end; r++) worst = Math.max(worst, part.labels?.[r] ?? 0);
      if (o.keep && !o.keep(worst, part.entity, w.endTs[i], i)) continue;
      picked.set(w.data.subarray(i * size, (i + 1) * size), k * size);
      k++;
      endTs.push(w.endTs[i]);
      endIndex.push(end);
      entityIndex.push(e);
      status.push(worst);
      if (part.ttf) ttf.push(part.ttf[end]);
    }
    xs.push(picked.subarray(0, k * size));
  });
  const count = endTs.length;
  const x = new Float32Array(count * T * width);
  let off = 0;
  for (const c of xs) {
    x.set(c, off);
    off += c.length;
  }
  return {
    x,
    count,
    length: T,
    width,
    endTs: Float64Array.from(endTs),
    endIndex: Int32Array.from(endIndex),
    entityIndex: Int32Array.from(entityIndex),
    status: Uint8Array.from(status),
    ttf: ttf.length === count && count > 0 ? Float64Array.from(ttf) : undefined,
    entities: names,
  };
}

export function buildWindowSplits(data: TrainingData, o: WindowSplitOptions): WindowSplits {
  const f = o.fractions ?? { train: 0.7, validation: 0.15, test: 0.15 };
  const split = splitDataset(asDataset(data), {
    train: f.train,
    validation: f.validation,
    test: f.test,
    gapRows: data.runToFailure ? 0 : o.windowLength,
    by: data.runToFailure ? 'entity' : 'time',
  });
  const { scaler, rows } = fitOnRows(split.train, o.features, o.scalerRows);
  const meta: WindowMeta = { features: o.features, scaler, windowLength: o.windowLength, stride: 1 };
  const evalStride = o.evalStride ?? o.trainStride;
  return {
    scaler,
    train: cut(split.train, meta, o.trainStride, o),
    validation: cut(split.validation, meta, evalStride, o),
    test: cut(split.test, meta, evalStride, o),
    scalerRowCount: rows,
  };
}

/** The windows at `indices` (e.g. only healthy ones), as a new set. */
export function selectWindows(set: WindowSet, indices: ArrayLike<number>): WindowSet {
  const size = set.length * set.width;
  const x = new Float32Array(indices.length * size);
  const pick = <T extends Float64Array | Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
    const out = make(indices.length);
    for (let i = 0; i < indices.length; i++) out[i] = a[indices[i]];
    return out;
  };
  for (let i = 0; i < indices.length; i++) x.set(set.x.subarray(indices[i] * size, (indices[i] + 1) * size), i * size);
  return {
    ...set,
    x,
    count: indices.length,
    endTs: pick(set.endTs, (n) => new Float64Array(n)),
    endIndex: pick(set.endIndex, (n) => new Int32Array(n)),
    entityIndex: pick(set.entityIndex, (n) => new Int32Array(n)),
    status: pick(set.status, (n) => new Uint8Array(n)),
    ttf: set.ttf ? pick(set.ttf, (n) => new Float64Array(n)) : undefined,
  };
}
