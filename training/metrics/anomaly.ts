/**
 * Anomaly detector metrics: event-level (what an operator experiences), point-wise, and threshold-free PR-AUC.
 * Event level: a labelled fault event is found when any detected interval overlaps it; a detected interval
 * that overlaps no labelled event is a false positive. Precision counts detections, recall counts events.
 */
import { type Interval, overlaps } from './intervals.js';

export interface Prf {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

const f1Of = (p: number, r: number) => (p + r > 0 ? (2 * p * r) / (p + r) : 0);

export interface EventMetrics extends Prf {
  readonly events: number;
  readonly detections: number;
  /** Events overlapped by at least one detection. */
  readonly truePositives: number;
  /** Detections overlapping no event. */
  readonly falsePositives: number;
  /** Events no detection overlaps. */
  readonly falseNegatives: number;
}

/** With no detections precision is 1 by convention (nothing claimed wrongly); with no events recall is 1. */
export function eventMetrics(detected: readonly Interval[], truth: readonly Interval[]): EventMetrics {
  const found = truth.filter((t) => detected.some((d) => overlaps(d, t))).length;
  const falsePositives = detected.filter((d) => !truth.some((t) => overlaps(d, t))).length;
  const precision = detected.length > 0 ? (detected.length - falsePositives) / detected.length : 1;
  const recall = truth.length > 0 ? found / truth.length : 1;
  return {
    precision,
    recall,
    f1: f1Of(precision, recall),
    events: truth.length,
    detections: detected.length,
    truePositives: found,
    falsePositives,
    falseNegatives: truth.length - found,
  };
}

export interface PointMetrics extends Prf {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly tn: number;
}

/** Point-wise confusion counts of 0/1 predictions against 0/1 labels (precision 0 when nothing predicted). */
export function pointMetrics(predicted: ArrayLike<number>, labels: ArrayLike<number>): PointMetrics {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = predicted[i] > 0.5;
    const l = labels[i] > 0.5;
    if (p && l) tp++;
    else if (p) fp++;
    else if (l) fn++;
    else tn++;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  return { precision, recall, f1: f1Of(precision, recall), tp, fp, fn, tn };
}

export interface PrCurve {
  readonly precision: number[];
  readonly recall: number[];
  readonly thresholds: number[];
}

/** Points of the PR curve, one per distinct score (highest first), thinned to at most `maxPoints`. */
export function precisionRecallCurve(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  maxPoints = Number.POSITIVE_INFINITY,
): PrCurve {
  const idx = Array.from({ length: labels.length }, (_, i) => i).filter((i) => Number.isFinite(scores[i]));
  idx.sort((a, b) => scores[b] - scores[a]);
  const positives = idx.reduce((s, i) => s + (labels[i] > 0.5 ? 1 : 0), 0);
  const curve: PrCurve = { precision: [], recall: [], thresholds: [] };
  if (positives === 0) return curve;
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < idx.length; k++) {
    if (labels[idx[k]] > 0.5) tp++;
    else fp++;
    // Only emit at the end of a run of tied scores: a threshold cannot split ties.
    if (k + 1 < idx.length && scores[idx[k + 1]] === scores[idx[k]]) continue;
    curve.precision.push(tp / (tp + fp));
    curve.recall.push(tp / positives);
    curve.thresholds.push(scores[idx[k]]);
  }
  if (curve.thresholds.length > maxPoints) {
    const step = curve.thresholds.length / maxPoints;
    const keep = (_: number, i: number) =>
      i === curve.thresholds.length - 1 || Math.floor(i / step) !== Math.floor((i - 1) / step);
    return {
      precision: curve.precision.filter(keep),
      recall: curve.recall.filter(keep),
      thresholds: curve.thresholds.filter(keep),
    };
  }
  return curve;
}

/** Average precision (area under the PR curve as Σ (R_k − R_{k−1})·P_k, scikit-learn's definition). NaN with no positives. */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const c = precisionRecallCurve(scores, labels);
  if (c.recall.length === 0) return Number.NaN;
  let ap = 0;
  let prev = 0;
  for (let k = 0; k < c.recall.length; k++) {
    ap += (c.recall[k] - prev) * c.precision[k];
    prev = c.recall[k];
  }
  return ap;
}
