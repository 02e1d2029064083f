/**
 * The check's data: a small simulated fleet turned into scaled anomaly-detector windows by the product's own
 * feature code (derive → fit scaler → slide), exactly as training does. Generated at run time, so the bundle
 * carries the simulator instead of a data file.
 */
import { SAMPLE_PERIOD_MS, simulateSeries } from '../../datasets/simulator/index.js';
import { deriveSeries, rawFields } from '../../src/features/derived.js';
import { anomalyWindows } from '../../src/features/model-inputs.js';
import { fitScaler, type ScalerParams } from '../../src/features/scaler.js';

export interface CheckWindows {
  /** `count * length * width`, row-major, scaled. */
  readonly data: Float32Array;
  readonly count: number;
  readonly length: number;
  readonly width: number;
  readonly features: readonly string[];
  readonly scaler: ScalerParams;
  readonly gpus: number;
  readonly hours: number;
}

const GPUS = 8;
const STRIDE = 2;

/** At least `count` windows of `length` samples from an 8-GPU simulated fleet; the first `count` are returned. */
export function checkWindows(count: number, length: number, features: readonly string[], seed: number): CheckWindows {
  const perGpu = Math.ceil(count / GPUS);
  const steps = length + (perGpu - 1) * STRIDE + 1; // +1: a delta feature drops no row but needs a predecessor
  const hours = (steps * SAMPLE_PERIOD_MS) / 3_600_000;
  const sim = simulateSeries({ seed, gpus: GPUS, start: Date.UTC(2026, 0, 1), hours }, rawFields(features));
  const series = [...sim.series.values()];
  // Fit on every sample, as training fits on its training split: the check measures speed, not accuracy.
  const derived = series.map((s) => deriveSeries(s, features).values);
  const all = new Float64Array(derived.reduce((n, v) => n + v.length, 0));
  let at = 0;
  for (const v of derived) {
    all.set(v, at);
    at += v.length;
  }
  const scaler = fitScaler(all, features.length);
  const meta = { features, scaler, windowLength: length, stride: STRIDE };
  const width = features.length;
  const data = new Float32Array(count * length * width);
  let filled = 0;
  for (const s of series) {
    const w = anomalyWindows(s, meta, STRIDE);
    const take = Math.min(w.count, count - filled);
    data.set(w.data.subarray(0, take * length * width), filled * length * width);
    filled += take;
    if (filled === count) break;
  }
  if (filled < count) throw new Error(`simulated ${filled} windows, wanted ${count}`);
  return { data, count, length, width, features: [...features], scaler, gpus: GPUS, hours };
}

/** `batch` windows starting at window 0, cycling when the batch is larger than the data set. */
export function batchOf(w: CheckWindows, batch: number): Float32Array {
  const size = w.length * w.width;
  const out = new Float32Array(batch * size);
  for (let i = 0; i < batch; i++) out.set(w.data.subarray((i % w.count) * size, ((i % w.count) + 1) * size), i * size);
  return out;
}
