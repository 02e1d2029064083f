/**
 * The anomaly score of the LSTM autoencoder, defined once for training (threshold, evaluation) and serving.
 * Per feature f: e[f] = weight[f] × mean squared reconstruction error (scaled units) over the window's last
 * `lastSteps` steps. Weights (metadata.scoreWeights, mean 1) are the inverse of each feature's typical healthy error,
 * so a feature the model normally reconstructs precisely (temperatures, error counters) weighs more than a noisy one
 * (power). The window's score is the mean of its `topFeatures` largest e (metadata.scoreTopFeatures; all features,
 * i.e. the plain mean, when absent, as in older models). Why the top few: a fault bends a few signals (a straggler's
 * utilisation against its job, a leak's memory, an error counter); averaged with twenty healthy features it drowns in
 * their noise, while the mean of the worst three still smooths over one feature's healthy spike.
 * contribution[f] = feature f's share of Σ e (the shares of a window sum to 1; all 0 when the error is 0). Both arrays
 * are laid out like the windows: `scores[w]`, `contributions[w*width+f]`. Serving and evaluation call
 * `anomalyScores(meta, ...)`, which reads those settings from model.json.
 */
import type { ModelMetadata } from './model-metadata.js';

export interface ReconstructionScores {
  readonly scores: Float64Array;
  readonly contributions: Float64Array;
}

export function reconstructionScores(
  input: ArrayLike<number>,
  output: ArrayLike<number>,
  count: number,
  length: number,
  width: number,
  lastSteps = length,
  weights?: ArrayLike<number>,
  topFeatures = width,
): ReconstructionScores {
  const k = Math.max(1, Math.min(length, Math.floor(lastSteps)));
  const top = Math.max(1, Math.min(width, Math.floor(topFeatures)));
  const sorted = new Float64Array(width);
  const scores = new Float64Array(count);
  const contributions = new Float64Array(count * width);
  const perFeature = new Float64Array(width);
  for (let w = 0; w < count; w++) {
    perFeature.fill(0);
    for (let t = length - k; t < length; t++) {
      const base = (w * length + t) * width;
      for (let f = 0; f < width; f++) {
        const d = input[base + f] - output[base + f];
        perFeature[f] += d * d * (weights ? weights[f] : 1);
      }
    }
    let total = 0;
    for (let f = 0; f < width; f++) total += perFeature[f];
    let largest = total;
    if (top < width) {
      sorted.set(perFeature);
      sorted.sort();
      largest = 0;
      for (let f = width - top; f < width; f++) largest += sorted[f];
    }
    scores[w] = largest / (k * top);
    if (total > 0) for (let f = 0; f < width; f++) contributions[w * width + f] = perFeature[f] / total;
  }
  return { scores, contributions };
}

/** Scores of `count` windows (input and model output row-major [count, T, F]) as the model's metadata defines them. */
export function anomalyScores(
  meta: Pick<ModelMetadata, 'windowLength' | 'features' | 'scoreLastSteps' | 'scoreWeights' | 'scoreTopFeatures'>,
  input: ArrayLike<number>,
  output: ArrayLike<number>,
  count: number,
): ReconstructionScores {
  const length = meta.windowLength;
  return reconstructionScores(
    input,
    output,
    count,
    length,
    meta.features.length,
    meta.scoreLastSteps ?? length,
    meta.scoreWeights,
    meta.scoreTopFeatures,
  );
}

/**
 * Per-feature weights from healthy validation windows: 1 / (mean squared error of the feature), with the error
 * floored at `floor` × the mean over features (so a feature reconstructed perfectly cannot take all the weight),
 * normalised to mean 1.
 */
export function featureErrorWeights(
  input: ArrayLike<number>,
  output: ArrayLike<number>,
  count: number,
  length: number,
  width: number,
  floor = 0.1,
): number[] {
  const err = new Float64Array(width);
  for (let i = 0; i < count * length * width; i++) {
    const d = input[i] - output[i];
    err[i % width] += d * d;
  }
  const n = Math.max(1, count * length);
  const mean = err.reduce((a, b) => a + b, 0) / n / width;
  const inv = Array.from(err, (e) => 1 / Math.max(e / n, floor * mean, 1e-12));
  const sum = inv.reduce((a, b) => a + b, 0);
  return inv.map((w) => (w * width) / sum);
}
