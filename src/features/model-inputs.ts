/**
 * Model inputs from raw telemetry, driven only by a model's metadata (`model.json`). Training builds its tensors
 * here and serving calls exactly the same functions, so the two cannot drift apart.
 *   - window models (anomaly, fault, ttf): derive `meta.features` → scale with `meta.scaler` → sliding windows.
 *   - throughput: one row per job: one-hot categories + (derived) numeric fields → scale.
 */
import { AppError, type RowError } from '../errors.js';
import { deriveSeries, logValue, parseFeature, rawFields } from './derived.js';
import type { ModelMetadata } from './model-metadata.js';
import { applyScaler, invertScaler } from './scaler.js';
import { type Series, slidingWindows, type Windows } from './windows.js';

export type WindowMeta = Pick<ModelMetadata, 'features' | 'scaler' | 'windowLength' | 'stride'>;

/** Scaled [count, windowLength, features] windows for the anomaly detector. */
export function anomalyWindows(series: Series, meta: WindowMeta, stride = meta.stride): Windows {
  const derived = deriveSeries(series, meta.features);
  const scaled = applyScaler(meta.scaler, derived.values);
  return slidingWindows(
    { ts: derived.ts, values: new Float64Array(scaled), features: derived.features },
    meta.windowLength,
    stride,
  );
}

/** A job as the job_metrics table, the simulator and the API carry it. */
export interface JobFeatures {
  readonly symbols?: Readonly<Record<string, string>>;
  readonly values: Readonly<Record<string, number>>;
}

/** One-hot columns are named `<category>=<value>`, e.g. `gpu_model=H100`. */
export const oneHotName = (category: string, value: string): string => `${category}=${value}`;

/** `gpu_model=H100` → {category: 'gpu_model', value: 'H100'}; undefined for any other feature. */
export function parseOneHot(feature: string): { category: string; value: string } | undefined {
  const eq = feature.indexOf('=');
  return eq < 0 ? undefined : { category: feature.slice(0, eq), value: feature.slice(eq + 1) };
}

/** The input a feature is computed from: its one-hot category, else its raw field (`ratio:a/b` → `a`). */
export const featureSource = (feature: string): string => parseOneHot(feature)?.category ?? parseFeature(feature).field;

/** The inputs a caller sends for `features` (one-hot categories and raw fields), without duplicates, in order. */
export const featureInputs = (features: readonly string[]): string[] =>
  rawFields(features.map((f) => parseOneHot(f)?.category ?? f));

function rowValue(row: JobFeatures, feature: string): number {
  const oneHot = parseOneHot(feature);
  if (oneHot) {
    // An unseen category maps to all zeros (no column lights up) rather than failing the request.
    return (row.symbols?.[oneHot.category] ?? '') === oneHot.value ? 1 : 0;
  }
  const p = parseFeature(feature);
  const raw = row.values[p.field];
  if (raw === undefined || !Number.isFinite(raw)) return Number.NaN;
  return p.op === 'log' ? logValue(raw) : raw;
}

/**
 * Unscaled feature matrix `rows × features` (row-major), for fitting the scaler. Rows with a missing or
 * non-finite value are reported together as a VALIDATION_FAILED with the row and the field.
 */
export function throughputMatrix(rows: readonly JobFeatures[], features: readonly string[]): Float64Array {
  const out = new Float64Array(rows.length * features.length);
  const errors: RowError[] = [];
  rows.forEach((row, r) => {
    features.forEach((f, c) => {
      const v = rowValue(row, f);
      if (!Number.isFinite(v)) errors.push({ row: r, field: featureSource(f), reason: 'missing or not finite' });
      out[r * features.length + c] = v;
    });
  });
  if (errors.length > 0) {
    throw new AppError(
      'VALIDATION_FAILED',
      `${errors.length} job row value(s) missing or not finite`,
      errors.slice(0, 100),
    );
  }
  return out;
}

/** Scaled throughput-model inputs: `rows × meta.features`, row-major Float32. */
export function throughputRows(
  rows: readonly JobFeatures[],
  meta: Pick<ModelMetadata, 'features' | 'scaler'>,
): Float32Array {
  return applyScaler(meta.scaler, throughputMatrix(rows, meta.features));
}

/** The throughput target as the model learns it: log (when `targetTransform` is log), then scaled. */
export function throughputTarget(
  throughput: readonly number[] | Float64Array,
  meta: Pick<ModelMetadata, 'targetScaler' | 'targetTransform'>,
): Float32Array {
  const t = Float64Array.from(throughput, (v) => (meta.targetTransform === 'log' ? logValue(v) : v));
  return meta.targetScaler ? applyScaler(meta.targetScaler, t) : Float32Array.from(t);
}

/** Model output → throughput in samples (or tokens) per second. */
export function throughputFromOutput(
  output: ArrayLike<number>,
  meta: Pick<ModelMetadata, 'targetScaler' | 'targetTransform'>,
): Float64Array {
  const unscaled = meta.targetScaler ? invertScaler(meta.targetScaler, output) : Float64Array.from(output);
  return meta.targetTransform === 'log' ? unscaled.map(Math.exp) : unscaled;
}

/** Stride-1 windows of just the last `meta.windowLength` rows: what serving scores for "now". */
export function latestWindow(series: Series, meta: WindowMeta): Windows {
  // Keep one row before the window so `delta:` features of its first row are exact, as in training.
  const keep = Math.min(series.ts.length, meta.windowLength + 1);
  const first = series.ts.length - keep;
  const width = series.features.length;
  const tail: Series = {
    ts: series.ts.subarray(first),
    values: series.values.subarray(first * width),
    features: series.features,
  };
  // A stride longer than the tail cuts exactly one window, the one ending on the last row.
  return anomalyWindows(tail, meta, keep);
}
