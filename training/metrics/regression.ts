/**
 * Regression metrics for time-to-failure and throughput models. The PHM08 score (Saxena et al. 2008) punishes
 * late predictions (predicted TTF above the truth: the failure comes sooner than promised) more than early ones:
 *   d = predicted − true;  s = Σ exp(−d/13) − 1 for d < 0,  exp(d/10) − 1 for d ≥ 0.
 */
import { AppError } from '../../src/errors.js';

function check(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  if (pred.length !== truth.length) {
    throw new AppError(
      'VALIDATION_FAILED',
      `predictions (${pred.length}) and targets (${truth.length}) differ in length`,
    );
  }
  return pred.length;
}

export function rmse(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  const n = check(pred, truth);
  let s = 0;
  for (let i = 0; i < n; i++) s += (pred[i] - truth[i]) ** 2;
  return n > 0 ? Math.sqrt(s / n) : Number.NaN;
}

export function mae(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  const n = check(pred, truth);
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(pred[i] - truth[i]);
  return n > 0 ? s / n : Number.NaN;
}

/** Mean absolute percentage error, in percent; rows whose truth is 0 are skipped (the ratio is undefined). */
export function mape(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  const n = check(pred, truth);
  let s = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (truth[i] === 0) continue;
    s += Math.abs((pred[i] - truth[i]) / truth[i]);
    k++;
  }
  return k > 0 ? (100 * s) / k : Number.NaN;
}

/** Coefficient of determination 1 − SS_res/SS_tot (NaN when the truth is constant). */
export function r2(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  const n = check(pred, truth);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += truth[i] / n;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < n; i++) {
    res += (truth[i] - pred[i]) ** 2;
    tot += (truth[i] - mean) ** 2;
  }
  return tot > 0 ? 1 - res / tot : Number.NaN;
}

/** PHM08 asymmetric score (sum over predictions; lower is better, 0 is perfect). */
export function phm08Score(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  const n = check(pred, truth);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = pred[i] - truth[i];
    s += d < 0 ? Math.exp(-d / 13) - 1 : Math.exp(d / 10) - 1;
  }
  return s;
}
