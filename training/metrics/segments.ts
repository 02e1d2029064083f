/**
 * Overlapping-segment scoring of detected anomaly intervals against labelled windows, the contextual metric of
 * Orion's benchmark (sintel-dev/Orion `contextual_confusion_matrix` without weighting):
 *   TP = labelled windows overlapped by at least one detection, FN = labelled windows overlapped by none,
 *   FP = detections that overlap no labelled window.
 * Several detections inside one labelled window count one TP (and no FP); one detection spanning two labelled
 * windows makes both TP. Orion pads each interval's end by one second, so intervals that touch (or miss each
 * other by less than a second) overlap; `padMs` is that pad, in the intervals' unit (ms).
 * Counts are summed over the signals of a subset before precision, recall and F1 are taken.
 */
import type { Interval } from './intervals.js';

export interface SegmentCounts {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
}

export interface SegmentScore extends SegmentCounts {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

/** One second: Orion's pad on interval ends. */
export const ORION_PAD_MS = 1000;

const overlapsPadded = (a: Interval, b: Interval, pad: number) => a.start < b.end + pad && b.start < a.end + pad;

export function segmentCounts(
  detected: readonly Interval[],
  truth: readonly Interval[],
  padMs = ORION_PAD_MS,
): SegmentCounts {
  const tp = truth.filter((t) => detected.some((d) => overlapsPadded(d, t, padMs))).length;
  const fp = detected.filter((d) => !truth.some((t) => overlapsPadded(d, t, padMs))).length;
  return { tp, fp, fn: truth.length - tp };
}

export function addCounts(parts: readonly SegmentCounts[]): SegmentCounts {
  return parts.reduce((s, c) => ({ tp: s.tp + c.tp, fp: s.fp + c.fp, fn: s.fn + c.fn }), { tp: 0, fp: 0, fn: 0 });
}

/**
 * Precision, recall and F1 of summed counts. Orion's convention where a ratio is 0/0: precision and recall are 0
 * (a subset with no detections scores F1 0: silence is punished).
 */
export function segmentScore(c: SegmentCounts): SegmentScore {
  const precision = c.tp + c.fp > 0 ? c.tp / (c.tp + c.fp) : 0;
  const recall = c.tp + c.fn > 0 ? c.tp / (c.tp + c.fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { ...c, precision, recall, f1 };
}
