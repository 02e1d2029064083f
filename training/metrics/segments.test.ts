import { describe, expect, it } from 'vitest';
import { addCounts, segmentCounts, segmentScore } from './segments.js';

const S = 1000;
const iv = (start: number, end: number) => ({ start: start * S, end: end * S });

describe('overlapping-segment counts (Orion contextual, unweighted)', () => {
  const truth = [iv(100, 200), iv(500, 600)];

  it('counts one TP for several detections inside one labelled window, and no FP for them', () => {
    expect(segmentCounts([iv(110, 120), iv(150, 160), iv(190, 195)], truth)).toEqual({ tp: 1, fp: 0, fn: 1 });
  });

  it('makes both windows TP when one detection spans them', () => {
    expect(segmentCounts([iv(150, 550)], truth)).toEqual({ tp: 2, fp: 0, fn: 0 });
  });

  it('counts a detection overlapping no window as FP and an unmatched window as FN', () => {
    expect(segmentCounts([iv(300, 310), iv(700, 800)], truth)).toEqual({ tp: 0, fp: 2, fn: 2 });
  });

  it('treats touching intervals, and a gap under the one-second pad, as overlapping; a longer gap not', () => {
    expect(segmentCounts([iv(200, 250)], truth)).toEqual({ tp: 1, fp: 0, fn: 1 });
    expect(segmentCounts([{ start: 200 * S + 500, end: 250 * S }], truth)).toEqual({ tp: 1, fp: 0, fn: 1 });
    expect(segmentCounts([{ start: 201 * S, end: 250 * S }], truth)).toEqual({ tp: 0, fp: 1, fn: 2 });
    // A zero-length detection on a window's first instant.
    expect(segmentCounts([iv(500, 500)], truth)).toEqual({ tp: 1, fp: 0, fn: 1 });
  });

  it('sums counts over signals before taking precision, recall and F1', () => {
    const a = segmentCounts([iv(150, 160), iv(300, 310)], truth); // tp 1, fp 1, fn 1
    const b = segmentCounts([], [iv(0, 10)]); // fn 1
    const s = segmentScore(addCounts([a, b]));
    expect(s).toMatchObject({ tp: 1, fp: 1, fn: 2 });
    expect(s.precision).toBeCloseTo(0.5);
    expect(s.recall).toBeCloseTo(1 / 3);
    expect(s.f1).toBeCloseTo((2 * 0.5 * (1 / 3)) / (0.5 + 1 / 3));
  });

  it('scores silence 0, not 1', () => {
    expect(segmentScore(segmentCounts([], truth))).toMatchObject({ precision: 0, recall: 0, f1: 0 });
  });
});
