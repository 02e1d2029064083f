/**
 * A model's outputs along one entity's series, one value per window (stride 1 by default, so every row from the
 * first full window on gets a value): the anomaly score (with per-feature shares), the fault probability
 * (calibrated when model.json has a calibration), or the predicted time to failure in samples (clamped to the cap).
 * Inputs come from src/features/model-inputs.ts and outputs go through src/inference/model-outputs.ts, exactly as
 * serving builds and reports them.
 */
import { AppError } from '../../src/errors.js';
import { anomalyWindows } from '../../src/features/model-inputs.js';
import type { Series } from '../../src/features/windows.js';
import { detectionOf } from '../../src/inference/detection/detector.js';
import { anomalyOutputs, faultOutputs, pointScores, timeToFailure } from '../../src/inference/model-outputs.js';
import type { Predictor } from './predictor.js';

export interface EntityOutputs {
  /** Row index in the series, and timestamp, of each window's last row. */
  readonly endIndex: Int32Array;
  readonly endTs: Float64Array;
  /** Anomaly score, fault probability, or predicted samples to failure, per window. */
  readonly values: Float64Array;
  /** Anomaly only: each feature's share of the window's error, `count × features`. */
  readonly contributions?: Float64Array;
}

export async function modelOutputs(p: Predictor, series: Series, stride = 1): Promise<EntityOutputs> {
  const meta = p.meta;
  if (meta.family === 'throughput') {
    throw new AppError('VALIDATION_FAILED', 'a throughput model scores job rows, not time series windows', {
      family: meta.family,
    });
  }
  const w = anomalyWindows(series, meta, stride);
  const out = await p.predict(w.data, w.count);
  if (meta.family === 'anomaly') {
    const r = anomalyOutputs(meta, w.data, out, w.count);
    // Point errors (model.json detection.errors) are defined over consecutive windows: stride 1 only.
    const point = detectionOf(meta)?.errors === 'point' && stride === 1;
    const values = point ? pointScores(meta, w.data, out, w.count) : r.scores;
    return { endIndex: w.endIndex, endTs: w.endTs, values, contributions: r.contributions };
  }
  const per = out.length / w.count;
  const first = Float64Array.from({ length: w.count }, (_, i) => out[i * per]);
  const values =
    meta.family === 'fault'
      ? Float64Array.from(faultOutputs(meta, first), (f) => f.probability)
      : Float64Array.from(first, (f) => timeToFailure(f, meta).steps);
  return { endIndex: w.endIndex, endTs: w.endTs, values };
}

/** The `k` features with the largest summed share over windows [from, to] (inclusive), with their share. */
export function topFeatures(
  contributions: Float64Array,
  features: readonly string[],
  from: number,
  to: number,
  k = 3,
): { feature: string; share: number }[] {
  const width = features.length;
  const sum = new Float64Array(width);
  for (let i = from; i <= to; i++) for (let f = 0; f < width; f++) sum[f] += contributions[i * width + f];
  const total = sum.reduce((a, b) => a + b, 0) || 1;
  return features
    .map((feature, f) => ({ feature, share: sum[f] / total }))
    .sort((a, b) => b.share - a.share)
    .slice(0, k);
}
