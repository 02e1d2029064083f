/**
 * The anomaly score of the LSTM autoencoder, defined once for training (threshold, evaluation) and serving:
 * score = mean squared reconstruction error, in scaled units, over the window's last `lastSteps` steps and all
 * features; contribution[f] = feature f's share of that error (the shares of a window sum to 1; all 0 when the
 * error is 0). Both arrays are laid out like the windows: `scores[w]`, `contributions[w * width + f]`.
 */

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
): ReconstructionScores {
  const k = Math.max(1, Math.min(length, Math.floor(lastSteps)));
  const scores = new Float64Array(count);
  const contributions = new Float64Array(count * width);
  const perFeature = new Float64Array(width);
  for (let w = 0; w < count; w++) {
    perFeature.fill(0);
    for (let t = length - k; t < length; t++) {
      const base = (w * length + t) * width;
      for (let f = 0; f < width; f++) {
        const d = input[base + f] - output[base + f];
        perFeature[f] += d * d;
      }
    }
    let total = 0;
    for (let f = 0; f < width; f++) total += perFeature[f];
    scores[w] = total / (k * width);
    if (total > 0) for (let f = 0; f < width; f++) contributions[w * width + f] = perFeature[f] / total;
  }
  return { scores, contributions };
}
