/**
 * Intervals for evaluation: the fixed-threshold rule lives with serving (src/inference/detection/intervals.ts) and
 * is re-exported here; label runs and overlap are evaluation's own.
 */
import { type Interval, scoresToIntervals } from '../../src/inference/detection/intervals.js';

export { type DetectedInterval, type Interval, scoresToIntervals } from '../../src/inference/detection/intervals.js';

/** Runs of 1 in a 0/1 label array. */
export function labelsToIntervals(labels: ArrayLike<number>): Interval[] {
  return scoresToIntervals(labels, 0.5).map(({ start, end }) => ({ start, end }));
}

export const overlaps = (a: Interval, b: Interval): boolean => a.start <= b.end && b.start <= a.end;
