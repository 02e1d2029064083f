/**
 * Calibrating the fault predictor: a map from the network's raw score (trained with re-weighted classes, so not a
 * probability) to the probability of a fault within the horizon, fitted on the validation split. Two candidates,
 * both monotone: Platt scaling (a logistic regression on logit(score)) and isotonic regression (pool adjacent
 * violators). The one with the lower Brier score on held-out validation entities (2-fold, split by entity so a
 * device's correlated windows never sit on both sides; Platt when the split has too few failing entities for two
 * folds with faults on both sides) is refitted on the whole split and stored in model.json;
 * src/inference/calibration.ts applies it. Weights say how many windows each one stands for (thinned healthy
 * windows count their stride), so the fitted probabilities follow the real base rate, not the thinned one.
 */
import type { Calibration } from '../src/features/model-metadata.js';
import { calibratedProbability, logit } from '../src/inference/calibration.js';

export interface WeightedLabels {
  readonly scores: ArrayLike<number>;
  readonly labels: ArrayLike<number>;
  /** Windows each one stands for (default 1). */
  readonly weights?: ArrayLike<number>;
}

const weightOf = (d: WeightedLabels, i: number) => (d.weights ? d.weights[i] : 1);

/** Weighted mean squared error of probabilities against 0/1 outcomes. */
export function brierScore(prob: ArrayLike<number>, labels: ArrayLike<number>, weights?: ArrayLike<number>): number {
  let sum = 0;
  let w = 0;
  for (let i = 0; i < prob.length; i++) {
    const wi = weights ? weights[i] : 1;
    sum += wi * (prob[i] - labels[i]) ** 2;
    w += wi;
  }
  return w > 0 ? sum / w : Number.NaN;
}

/**
 * Expected calibration error: over `bins` equal-width probability bins, the weight-share of each bin times the gap
 * between its mean predicted probability and its observed fault rate.
 */
export function expectedCalibrationError(
  prob: ArrayLike<number>,
  labels: ArrayLike<number>,
  weights?: ArrayLike<number>,
  bins = 10,
): number {
  const r = reliabilityBins(prob, labels, weights, bins);
  const total = r.reduce((n, b) => n + b.weight, 0);
  return total > 0 ? r.reduce((e, b) => e + (b.weight / total) * Math.abs(b.predicted - b.observed), 0) : Number.NaN;
}

export interface ReliabilityBin {
  /** Mean predicted probability in the bin. */
  readonly predicted: number;
  /** Observed frequency of the outcome in the bin. */
  readonly observed: number;
  readonly weight: number;
}

/** The reliability diagram's points: equal-width probability bins that hold any weight (ECE is their gap). */
export function reliabilityBins(
  prob: ArrayLike<number>,
  labels: ArrayLike<number>,
  weights?: ArrayLike<number>,
  bins = 10,
): ReliabilityBin[] {
  const w = new Float64Array(bins);
  const p = new Float64Array(bins);
  const y = new Float64Array(bins);
  for (let i = 0; i < prob.length; i++) {
    if (!Number.isFinite(prob[i])) continue;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(prob[i] * bins)));
    const wi = weights ? weights[i] : 1;
    w[b] += wi;
    p[b] += wi * prob[i];
    y[b] += wi * labels[i];
  }
  const out: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++)
    if (w[b] > 0) out.push({ predicted: p[b] / w[b], observed: y[b] / w[b], weight: w[b] });
  return out;
}

/**
 * Platt scaling: p = σ(a · logit(s) + b), by weighted maximum likelihood: Newton steps, halved until the
 * likelihood improves (plain Newton overshoots on saturated scores); a small ridge keeps it finite.
 */
export function fitPlatt(d: WeightedLabels): { a: number; b: number } {
  const n = d.scores.length;
  const z = Float64Array.from({ length: n }, (_, i) => logit(d.scores[i]));
  const ridge = 1e-6;
  const loss = (a: number, b: number) => {
    let l = 0.5 * ridge * a * a;
    for (let i = 0; i < n; i++) {
      const m = a * z[i] + b;
      // -log σ(m) = softplus(-m), -log(1-σ(m)) = softplus(m), computed without overflow.
      const softplus = (x: number) => (x > 30 ? x : Math.log1p(Math.exp(x)));
      l += weightOf(d, i) * (d.labels[i] > 0.5 ? softplus(-m) : softplus(m));
    }
    return l;
  };
  let a = 1;
  let b = 0;
  let current = loss(a, b);
  for (let iter = 0; iter < 100; iter++) {
    let ga = ridge * a;
    let gb = 0;
    let haa = ridge;
    let hab = 0;
    let hbb = 1e-12;
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-(a * z[i] + b)));
      const w = weightOf(d, i);
      const r = w * (p - d.labels[i]);
      const h = w * p * (1 - p);
      ga += r * z[i];
      gb += r;
      haa += h * z[i] * z[i];
      hab += h * z[i];
      hbb += h;
    }
    const det = haa * hbb - hab * hab;
    if (!(Math.abs(det) > 1e-18)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    let step = 1;
    let next = loss(a - da, b - db);
    while (!(next <= current) && step > 1e-6) {
      step /= 2;
      next = loss(a - step * da, b - step * db);
    }
    if (!(next <= current)) break;
    a -= step * da;
    b -= step * db;
    const done = current - next < 1e-12 * Math.max(1, current);
    current = next;
    if (done) break;
  }
  return { a, b };
}

/** Isotonic regression by pool adjacent violators: ascending breakpoints `x` and the probability `y` from each on. */
export function fitIsotonic(d: WeightedLabels): { x: number[]; y: number[] } {
  const order = Array.from({ length: d.scores.length }, (_, i) => i).sort((i, j) => d.scores[i] - d.scores[j]);
  const blocks: { x: number; sum: number; w: number }[] = [];
  for (const i of order) {
    const w = weightOf(d, i);
    if (!(w > 0)) continue;
    blocks.push({ x: d.scores[i], sum: w * d.labels[i], w });
    // Merge while the previous block's mean is not below this one's (keeps the map non-decreasing).
    while (blocks.length > 1) {
      const last = blocks[blocks.length - 1];
      const prev = blocks[blocks.length - 2];
      if (prev.sum / prev.w < last.sum / last.w) break;
      prev.sum += last.sum;
      prev.w += last.w;
      blocks.pop();
    }
  }
  return { x: blocks.map((b) => b.x), y: blocks.map((b) => b.sum / b.w) };
}

function subset(d: WeightedLabels, keep: (i: number) => boolean): WeightedLabels {
  const idx = Array.from({ length: d.scores.length }, (_, i) => i).filter(keep);
  return {
    scores: idx.map((i) => d.scores[i]),
    labels: idx.map((i) => d.labels[i]),
    weights: idx.map((i) => weightOf(d, i)),
  };
}

function fitMethod(method: 'platt' | 'isotonic', d: WeightedLabels): Calibration {
  return method === 'platt' ? { method, ...fitPlatt(d), metrics: {} } : { method, ...fitIsotonic(d), metrics: {} };
}

const r6 = (v: number) => Math.round(v * 1e6) / 1e6;

/**
 * Fit both maps, pick the one with the lower held-out Brier score, refit it on all of `d`. `groups[i]` (e.g. the
 * window's entity) decides the fold. Undefined when the split has no positive or no negative window.
 */
export function chooseCalibration(d: WeightedLabels, groups: ArrayLike<number>): Calibration | undefined {
  const positives = Array.from(d.labels).filter((y) => y > 0.5).length;
  if (positives === 0 || positives === d.labels.length) return undefined;
  const heldOut = { platt: 0, isotonic: 0 };
  const hasBoth = (s: WeightedLabels) => new Set(Array.from(s.labels, (y) => y > 0.5)).size === 2;
  let folds = 0;
  for (const k of [0, 1]) {
    const train = subset(d, (i) => groups[i] % 2 !== k);
    const test = subset(d, (i) => groups[i] % 2 === k);
    // A fold counts only when both sides hold faults and healthy windows: a Brier score on a side without
    // faults says nothing about the map.
    if (!hasBoth(train) || !hasBoth(test)) continue;
    folds++;
    for (const method of ['platt', 'isotonic'] as const) {
      const c = fitMethod(method, train);
      const p = Array.from(test.scores, (s) => calibratedProbability(s, c));
      heldOut[method] += brierScore(p, test.labels, test.weights) / 2;
    }
  }
  // Without two usable folds (too few failing entities to hold any out) Platt's two parameters are the safe
  // choice: isotonic's steps would fit the few faults seen exactly.
  const method = folds === 2 && heldOut.isotonic < heldOut.platt ? 'isotonic' : 'platt';
  const chosen = fitMethod(method, d);
  const calibrated = Array.from(d.scores, (s) => calibratedProbability(s, chosen));
  const metrics = {
    heldOutFolds: folds,
    ...(folds === 2 ? { brierPlattHeldOut: r6(heldOut.platt), brierIsotonicHeldOut: r6(heldOut.isotonic) } : {}),
    brierRaw: r6(brierScore(d.scores, d.labels, d.weights)),
    brier: r6(brierScore(calibrated, d.labels, d.weights)),
    eceRaw: r6(expectedCalibrationError(d.scores, d.labels, d.weights)),
    ece: r6(expectedCalibrationError(calibrated, d.labels, d.weights)),
  };
  return { ...chosen, metrics };
}
