/**
 * Point scores → anomaly intervals: consecutive points above the threshold form one interval; intervals
 * separated by at most `mergeGap` points are merged (an alarm that flickers is one event to an operator).
 * Serving (src/inference/detection/detector.ts) and evaluation (training/metrics) share it.
 */

/** Inclusive bounds, in index or time units (the caller's choice). */
export interface Interval {
  readonly start: number;
  readonly end: number;
}

export interface DetectedInterval extends Interval {
  /** Highest score inside the interval and where it is. */
  readonly peak: number;
  readonly peakIndex: number;
}

export function scoresToIntervals(
  scores: ArrayLike<number>,
  threshold: number,
  opts: { mergeGap?: number; minLength?: number } = {},
): DetectedInterval[] {
  const mergeGap = opts.mergeGap ?? 0;
  const minLength = opts.minLength ?? 1;
  const out: DetectedInterval[] = [];
  let cur: { start: number; end: number; peak: number; peakIndex: number } | undefined;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (!(s > threshold)) continue;
    if (cur && i - cur.end - 1 <= mergeGap) {
      cur.end = i;
      if (s > cur.peak) {
        cur.peak = s;
        cur.peakIndex = i;
      }
    } else {
      if (cur) out.push(cur);
      cur = { start: i, end: i, peak: s, peakIndex: i };
    }
  }
  if (cur) out.push(cur);
  return out.filter((iv) => iv.end - iv.start + 1 >= minLength);
}
