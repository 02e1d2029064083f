/**
 * A model's outputs along one entity's series, one value per window (stride 1 by default, so every row from the
 * first full window on gets a value): the anomaly score (with per-feature shares), the fault probability, or the
 * predicted time to failure in samples. Inputs come from src/features/model-inputs.ts, as serving builds them.
 */
import { AppError } from '../../src/errors.js';
import { anomalyWindows } from '../../src/features/model-inputs.js';
import { anomalyScores } from '../../src/features/reconstruction.js';
import type { Series } from '../../src/features/windows.js';
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
    // Exactly serving's score: model.json's scoreLastSteps and per-feature scoreWeights.
    const r = anomalyScores(meta, w.data, out, w.count);
    return { endIndex: w.endIndex, endTs: w.endTs, values: r.scores, contributions: r.contributions };
  }
  const per = out.length / w.count;
  const values = new Float64Array(w.count);
  if (meta.family === 'ttf') {
    // The model predicts min(ttf, cap) / cap: clamp to [0, 1] as the training target is, so no prediction
    // exceeds the cap or goes below 0.
    const cap = meta.ttfCapSteps ?? 1;
    for (let i = 0; i < w.count; i++) values[i] = Math.min(Math.max(out[i * per], 0), 1) * cap;
  } else for (let i = 0; i < w.count; i++) values[i] = out[i * per];
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
