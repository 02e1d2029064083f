/**
 * The ONE place a model's raw output becomes what every caller reports: the scoring API (src/api/routes), the
 * batch forecast (src/forecast/scoring.ts) and evaluation (training/evaluate/model-outputs.ts) call these
 * functions and re-implement none of them.
 *
 *  - anomaly: score (the shared definition in features/reconstruction.ts), threshold, verdict, top features; for a
 *    model whose model.json records `detection` (CSV-trained), the verdict of a window is the detector's over its
 *    series (`seriesVerdicts`), exactly as `npm run score` reports it;
 *  - fault: probability (through model.json's calibration map when it has one; older models report the raw score),
 *    the alarm threshold with where it came from, and the alarm;
 *  - ttf: time to failure, clamped to the model's cap.
 *
 * Every verdict uses one comparison, `exceeds`: the value must be strictly ABOVE the threshold. Why `>`: an anomaly
 * threshold is a level healthy scores exceed with a chosen small probability (percentile or POT, training/
 * thresholds.ts), and evaluation counts the windows above it (training/metrics/intervals.ts); a value exactly at the
 * threshold is the boundary of "normal", not past it. The fault threshold is read the same way.
 *
 * A score that is not a finite number (an input so far out of range that the scaled float32 window overflows, e.g.
 * 1e308 °C) is never reported as a number: `nonFiniteWindows` finds those windows, the API answers 422
 * `SCORE_NOT_FINITE` naming them and their inputs, and the batch forecast leaves the device unscored (counted).
 */
import { AppError } from '../errors.js';
import type { ModelMetadata } from '../features/model-metadata.js';
import { anomalyScores } from '../features/reconstruction.js';
import { calibratedProbability } from './calibration.js';
import { detectionOf, detectorFor } from './detection/detector.js';

/** The one verdict comparison (see the header): strictly above. */
export function exceeds(value: number, threshold: number): boolean {
  return value > threshold;
}

// ---------------------------------------------------------------- anomaly

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

type AnomalyMeta = Pick<
  ModelMetadata,
  'features' | 'windowLength' | 'threshold' | 'scoreLastSteps' | 'scoreWeights' | 'scoreTopFeatures'
>;

/** The `k` largest shares, largest first, ties in feature order; features with no error are left out. */
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

export interface AnomalyOutputs {
  readonly scores: Float64Array;
  /** Per window and feature, the feature's share of the error: `contributions[w * features + f]`. */
  readonly contributions: Float64Array;
  readonly threshold: number | null;
}

/** Scores and per-feature shares of `count` windows `[windowLength, features]` (scaled input) and their reconstruction. */
export function anomalyOutputs(
  meta: AnomalyMeta,
  input: ArrayLike<number>,
  reconstruction: ArrayLike<number>,
  count: number,
): AnomalyOutputs {
  const expected = count * meta.windowLength * meta.features.length;
  if (input.length !== expected || reconstruction.length !== expected) {
    throw new AppError(
      'INFERENCE_FAILED',
      `anomaly outputs: expected ${expected} values, got input ${input.length}, reconstruction ${reconstruction.length}`,
    );
  }
  const { scores, contributions } = anomalyScores(meta, input, reconstruction, count);
  return { scores, contributions, threshold: meta.threshold?.value ?? null };
}

/** Per window: score, threshold, verdict (`exceeds`) and the `topK` features carrying most of the error. */
export function anomalyVerdicts(
  meta: AnomalyMeta,
  input: ArrayLike<number>,
  reconstruction: ArrayLike<number>,
  count: number,
  topK = 3,
): WindowVerdict[] {
  const { scores, contributions, threshold } = anomalyOutputs(meta, input, reconstruction, count);
  const width = meta.features.length;
  return Array.from(scores, (score, w) => ({
    score,
    threshold,
    anomalous: threshold === null ? null : exceeds(score, threshold),
    topFeatures: topShares(contributions, w * width, meta.features, topK),
  }));
}

/** How a model's scores become verdicts: the stored threshold per window, or model.json's sliding-window detection. */
export type AnomalyRule = 'threshold' | 'sliding-window';

export function anomalyRule(meta: Pick<ModelMetadata, 'family'>): AnomalyRule {
  return detectionOf(meta as ModelMetadata) ? 'sliding-window' : 'threshold';
}

/** Windows of score history a live verdict needs: the series length the detection was sized on (1 without one). */
export const DEFAULT_HISTORY_ROWS = 1000;
export function historyWindows(meta: Pick<ModelMetadata, 'family'>): number {
  const d = detectionOf(meta as ModelMetadata);
  return d ? (d.historyRows ?? DEFAULT_HISTORY_ROWS) : 1;
}

/**
 * Verdicts of ONE series' consecutive windows (time order). Threshold models: unchanged (`exceeds` per window).
 * Models with `detection`: a window is anomalous when it lies inside an interval the sliding-window detector finds
 * over this series' scores, the rule `npm run score` applies to a CSV of the same rows (its `alarm` column), so the
 * API, the batch forecast and the CLI agree on the same history.
 */
export function seriesVerdicts(
  meta: ModelMetadata,
  windowVerdicts: readonly WindowVerdict[],
  windows?: { readonly input: ArrayLike<number>; readonly reconstruction: ArrayLike<number> },
): WindowVerdict[] {
  if (anomalyRule(meta) === 'threshold') return [...windowVerdicts];
  let verdicts = windowVerdicts;
  if (detectionOf(meta)?.errors === 'point') {
    if (!windows) throw new AppError('INFERENCE_FAILED', 'point errors need the windows and their reconstruction');
    const points = pointScores(meta, windows.input, windows.reconstruction, windowVerdicts.length);
    verdicts = windowVerdicts.map((v, i) => ({ ...v, score: points[i] }));
  }
  // A window without a finite score (a gap in the read) is no alarm and no part of the detector's series.
  const finite = verdicts.flatMap((v, i) => (Number.isFinite(v.score) ? [i] : []));
  const alarms = detectorFor(meta)!.alarms(finite.map((i) => verdicts[i].score));
  const out = verdicts.map((v) => ({ ...v, anomalous: false }));
  finite.forEach((w, i) => {
    out[w] = { ...out[w], anomalous: alarms[i] === 1 };
  });
  return out;
}

/**
 * Point errors of ONE series' consecutive windows (stride 1, `[count, T, F]` scaled input and reconstruction): for
 * the last row of each window, the root of the weighted mean over features of (value − mean reconstruction of that
 * row over every window of the series holding it)². A row's error is its own, not smeared over the T rows before
 * it; the last rows are reconstructed by fewer windows, as at the edge of Orion's aggregation.
 */
export function pointScores(
  meta: Pick<ModelMetadata, 'windowLength' | 'features' | 'scoreWeights'>,
  input: ArrayLike<number>,
  reconstruction: ArrayLike<number>,
  count: number,
): Float64Array {
  const T = meta.windowLength;
  const F = meta.features.length;
  const rows = count + T - 1;
  const sum = new Float64Array(rows * F);
  const seen = new Float64Array(rows);
  for (let w = 0; w < count; w++) {
    for (let t = 0; t < T; t++) {
      seen[w + t]++;
      for (let f = 0; f < F; f++) sum[(w + t) * F + f] += reconstruction[(w * T + t) * F + f];
    }
  }
  const out = new Float64Array(count);
  for (let w = 0; w < count; w++) {
    const row = w + T - 1;
    let e = 0;
    for (let f = 0; f < F; f++) {
      const d = input[(w * T + T - 1) * F + f] - sum[row * F + f] / seen[row];
      e += d * d * (meta.scoreWeights?.[f] ?? 1);
    }
    out[w] = Math.sqrt(e / F);
  }
  return out;
}

// ---------------------------------------------------------------- non-finite outputs

export interface NonFiniteWindow {
  /** Window index in the batch. */
  readonly window: number;
  /** Model features whose scaled input is not finite in that window (empty: the model itself overflowed). */
  readonly features: readonly string[];
}

/** Windows whose value is not finite, with the features whose scaled input overflowed. */
export function nonFiniteWindows(
  values: ArrayLike<number>,
  meta: Pick<ModelMetadata, 'features' | 'windowLength'>,
  input: ArrayLike<number>,
): NonFiniteWindow[] {
  const width = meta.features.length;
  const size = meta.windowLength * width;
  const out: NonFiniteWindow[] = [];
  for (let w = 0; w < values.length; w++) {
    if (Number.isFinite(values[w])) continue;
    const bad = new Set<string>();
    for (let i = 0; i < size; i++) if (!Number.isFinite(input[w * size + i])) bad.add(meta.features[i % width]);
    out.push({ window: w, features: [...bad] });
  }
  return out;
}

/** Throws 422 `SCORE_NOT_FINITE` naming the windows (by the caller's index) and inputs when any value is not finite. */
export function requireFinite(
  what: string,
  values: ArrayLike<number>,
  meta: Pick<ModelMetadata, 'features' | 'windowLength' | 'name' | 'version'>,
  input: ArrayLike<number>,
  indexOf: (window: number) => number = (w) => w,
): void {
  const bad = nonFiniteWindows(values, meta, input);
  if (bad.length === 0) return;
  const windows = bad.map((b) => ({ index: indexOf(b.window), features: b.features }));
  const first = windows[0];
  const cause =
    first.features.length > 0
      ? `scaled input ${first.features.join(', ')} overflows (raw values too far outside the range the model was trained on)`
      : 'the model output overflowed';
  throw new AppError(
    'SCORE_NOT_FINITE',
    `${what} of ${meta.name}@${meta.version} is not a finite number for ${windows.length} window(s), first index ` +
      `${first.index}: ${cause}`,
    { windows },
  );
}

// ---------------------------------------------------------------- fault

const MS_PER_MINUTE = 60_000;

/** The fault predictor's horizon in minutes: "probability of a fault within the next N minutes". */
export function horizonMinutes(meta: Pick<ModelMetadata, 'horizonSteps' | 'samplePeriodMs' | 'name'>): number {
  if (!meta.horizonSteps)
    throw new AppError('INFERENCE_FAILED', `fault model ${meta.name} has no horizonSteps in model.json`);
  return (meta.horizonSteps * meta.samplePeriodMs) / MS_PER_MINUTE;
}

/** A threshold and where it came from, so whoever reads a decision can check it. */
export interface AlarmThreshold {
  readonly value: number;
  /** e.g. `model fault@20261128T090630Z (model.json threshold, fixed, on raw scores)`. */
  readonly source: string;
}

type FaultMeta = Pick<ModelMetadata, 'name' | 'version' | 'threshold' | 'calibration'>;

/**
 * The model's alarm threshold, on the probability scale callers see: model.json's threshold, chosen in training
 * (on the calibrated probabilities when the model has a calibration map, else on the raw score, as older models
 * did). Null when model.json carries no threshold.
 */
export function faultAlarmThreshold(meta: FaultMeta): AlarmThreshold | null {
  const t = meta.threshold;
  if (!t) return null;
  const scale = meta.calibration ? `on probabilities calibrated by ${meta.calibration.method}` : 'on raw scores';
  return {
    value: t.value,
    source: `model ${meta.name}@${meta.version} (model.json threshold, ${t.method}, ${scale})`,
  };
}

export interface FaultOutput {
  /** Probability of a fault within the horizon (calibrated when the model has a calibration map). */
  readonly probability: number;
  /** The model's raw output (the score the network emits). */
  readonly rawScore: number;
  readonly threshold: AlarmThreshold | null;
  /** `exceeds(probability, threshold)`; null without a threshold. */
  readonly alarm: boolean | null;
}

export function faultOutputs(meta: FaultMeta, raw: ArrayLike<number>): FaultOutput[] {
  const threshold = faultAlarmThreshold(meta);
  return Array.from(raw, (rawScore) => {
    const probability = calibratedProbability(rawScore, meta.calibration);
    return {
      probability,
      rawScore,
      threshold,
      alarm: threshold === null ? null : exceeds(probability, threshold.value),
    };
  });
}

// ---------------------------------------------------------------- ttf

export interface TimeToFailure {
  /** Predicted minutes until failure, clamped to [0, capMinutes]. */
  readonly minutes: number;
  /** The same in samples of the model's period (evaluation's unit). */
  readonly steps: number;
  /** At the cap: no failure expected within `capMinutes` (the model cannot see further). */
  readonly beyondCap: boolean;
  readonly capMinutes: number;
}

/** The TTF model predicts min(ttf, cap) / cap; clamped to [0, 1]; 0.98 of the cap or more reads as "beyond the cap". */
export function timeToFailure(
  fraction: number,
  meta: Pick<ModelMetadata, 'ttfCapSteps' | 'samplePeriodMs' | 'name'>,
): TimeToFailure {
  if (!meta.ttfCapSteps)
    throw new AppError('INFERENCE_FAILED', `ttf model ${meta.name} has no ttfCapSteps in model.json`);
  const capMinutes = (meta.ttfCapSteps * meta.samplePeriodMs) / MS_PER_MINUTE;
  const f = Math.min(1, Math.max(0, fraction));
  return { minutes: f * capMinutes, steps: f * meta.ttfCapSteps, beyondCap: f >= 0.98, capMinutes };
}

// ---------------------------------------------------------------- output tensors

/** The model's first declared output (model.json `onnx.outputs`), or its only one. */
export function primaryOutput<T>(
  meta: Pick<ModelMetadata, 'onnx' | 'name' | 'version'>,
  outputs: Readonly<Record<string, T>>,
): T {
  const name = meta.onnx?.outputs[0];
  const found = (name && outputs[name]) || Object.values(outputs)[0];
  if (!found) throw new AppError('INFERENCE_FAILED', `model ${meta.name}@${meta.version} returned no output`);
  return found;
}
