import { describe, expect, it } from 'vitest';
import { averagePrecision, eventMetrics, pointMetrics, precisionRecallCurve } from './anomaly.js';
import { labelsToIntervals, scoresToIntervals } from './intervals.js';

describe('scoresToIntervals', () => {
  const scores = [0, 5, 6, 0, 7, 0, 0, 0, 9, 1];
  it('groups consecutive points above the threshold and keeps the peak', () => {
    expect(scoresToIntervals(scores, 2)).toEqual([
      { start: 1, end: 2, peak: 6, peakIndex: 2 },
      { start: 4, end: 4, peak: 7, peakIndex: 4 },
      { start: 8, end: 8, peak: 9, peakIndex: 8 },
    ]);
  });
  it('merges intervals separated by at most mergeGap points and drops short ones', () => {
    expect(scoresToIntervals(scores, 2, { mergeGap: 1 })).toEqual([
      { start: 1, end: 4, peak: 7, peakIndex: 4 },
      { start: 8, end: 8, peak: 9, peakIndex: 8 },
    ]);
    expect(scoresToIntervals(scores, 2, { minLength: 2 })).toEqual([{ start: 1, end: 2, peak: 6, peakIndex: 2 }]);
  });
  it('reads label runs', () => {
    expect(labelsToIntervals([1, 1, 0, 0, 1])).toEqual([
      { start: 0, end: 1 },
      { start: 4, end: 4 },
    ]);
  });
});

describe('eventMetrics', () => {
  it('counts an event found when any detection overlaps it; a detection overlapping nothing is a false positive', () => {
    const truth = [
      { start: 10, end: 20 },
      { start: 40, end: 50 },
      { start: 80, end: 90 },
    ];
    const detected = [
      { start: 5, end: 10 }, // touches event 1 at its start
      { start: 15, end: 16 }, // also event 1: a second true detection, the event counts once
      { start: 60, end: 70 }, // nothing: false positive
      { start: 90, end: 95 }, // event 3
    ];
    const m = eventMetrics(detected, truth);
    expect(m.truePositives).toBe(2);
    expect(m.falseNegatives).toBe(1);
    expect(m.falsePositives).toBe(1);
    expect(m.precision).toBe(3 / 4);
    expect(m.recall).toBe(2 / 3);
    expect(m.f1).toBeCloseTo((2 * 0.75 * (2 / 3)) / (0.75 + 2 / 3), 12);
  });
  it('handles nothing detected', () => {
    const m = eventMetrics([], [{ start: 1, end: 2 }]);
    expect(m.recall).toBe(0);
    expect(m.f1).toBe(0);
  });
});

describe('pointMetrics', () => {
  it('counts the confusion matrix', () => {
    const m = pointMetrics([1, 1, 0, 0, 1, 0], [1, 0, 1, 0, 1, 0]);
    expect([m.tp, m.fp, m.fn, m.tn]).toEqual([2, 1, 1, 2]);
    expect(m.precision).toBe(2 / 3);
    expect(m.recall).toBe(2 / 3);
    expect(m.f1).toBeCloseTo(2 / 3, 12);
  });
});

describe('average precision', () => {
  it('matches a hand-computed case', () => {
    // sorted by score: 0.9(1) 0.8(0) 0.7(1) 0.6(0) 0.5(1)
    // P@k at positives: 1/1, 2/3, 3/5; AP = (1 + 2/3 + 3/5) / 3
    const ap = averagePrecision([0.5, 0.9, 0.6, 0.7, 0.8], [1, 1, 0, 1, 0]);
    expect(ap).toBeCloseTo((1 + 2 / 3 + 3 / 5) / 3, 12);
  });
  it('is 1 for a perfect ranking and treats ties as one threshold', () => {
    expect(averagePrecision([0.1, 0.2, 0.9, 0.8], [0, 0, 1, 1])).toBe(1);
    // all tied: one point with precision = base rate
    expect(averagePrecision([1, 1, 1, 1], [1, 0, 0, 0])).toBe(0.25);
    expect(Number.isNaN(averagePrecision([1, 2], [0, 0]))).toBe(true);
  });
  it('thins the curve to maxPoints keeping the last point', () => {
    const n = 1000;
    const scores = Array.from({ length: n }, (_, i) => i);
    const labels = scores.map((i) => (i % 3 === 0 ? 1 : 0));
    const c = precisionRecallCurve(scores, labels, 50);
    expect(c.recall.length).toBeLessThanOrEqual(51);
    expect(c.recall.at(-1)).toBe(1);
  });
});
