/**
 * Anomaly verdicts from an autoencoder's reconstruction: per window the score (the shared definition in
 * features/reconstruction.ts, with the model's scoreLastSteps, scoreWeights and scoreTopFeatures, so it matches the threshold
 * training chose), the threshold, the verdict, and the features that carry most of the (weighted) error.
 */
import type { ModelMetadata } from '../features/model-metadata.js';
import { anomalyScores } from '../features/reconstruction.js';

export interface FeatureShare {
  readonly feature: string;
  /** This feature's share of the window's squared reconstruction error (0..1; a window's shares sum to 1). */
  readonly share: number;
}

export interface WindowVerdict {
  readonly score: number;
  /** Null when the model carries no threshold (then `anomalous` is null too). */
  readonly threshold: number | null;
  readonly anomalous: boolean | null;
  readonly topFeatures: readonly FeatureShare[];
}

/** The `k` largest shares, largest first; features with no error are left out. */
export function topShares(
  shares: ArrayLike<number>,
  offset: number,
  features: readonly string[],
  k: number,
): FeatureShare[] {
  const idx = features.map((_, f) => f).filter((f) => shares[offset + f] > 0);
  idx.sort((a, b) => shares[offset + b] - shares[offset + a] || a - b);
  return idx.slice(0, k).map((f) => ({ feature: features[f], share: shares[offset + f] }));
}

/**
 * Score `count` windows of `[windowLength, features]` (the scaled input) against the model's reconstruction.
 * `anomalous` is `score > threshold`.
 */
export function scoreWindows(
  meta: Pick<
    ModelMetadata,
    'features' | 'windowLength' | 'threshold' | 'scoreLastSteps' | 'scoreWeights' | 'scoreTopFeatures'
  >,
  input: ArrayLike<number>,
  reconstruction: ArrayLike<number>,
  count: number,
  topK = 3,
): WindowVerdict[] {
  const width = meta.features.length;
  const expected = count * meta.windowLength * width;
  if (input.length !== expected || reconstruction.length !== expected) {
    throw new Error(
      `scoreWindows: expected ${expected} values, got input ${input.length}, reconstruction ${reconstruction.length}`,
    );
  }
  const { scores, contributions } = anomalyScores(meta, input, reconstruction, count);
  const threshold = meta.threshold?.value ?? null;
  const out: WindowVerdict[] = [];
  for (let w = 0; w < count; w++) {
    out.push({
      score: scores[w],
      threshold,
      anomalous: threshold === null ? null : scores[w] > threshold,
      topFeatures: topShares(contributions, w * width, meta.features, topK),
    });
  }
  return out;
}
