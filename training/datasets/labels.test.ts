import { describe, expect, it } from 'vitest';
import { balancedClassWeights, faultWithinHorizon, stepsToFailure } from './labels.js';

describe('faultWithinHorizon', () => {
  const failures = [1_000, 5_000];
  it('is positive only when a failure falls in (end, end + H]', () => {
    expect(faultWithinHorizon(900, failures, 100)).toBe(1); // fails 100 ms after the window ends: inside
    expect(faultWithinHorizon(899, failures, 100)).toBe(0); // 101 ms: just beyond the horizon
    expect(faultWithinHorizon(1_000, failures, 100)).toBe(0); // the failure is not after the window end
    expect(faultWithinHorizon(4_950, failures, 100)).toBe(1); // the second failure counts too
    expect(faultWithinHorizon(2_000, failures, 100)).toBe(0);
    expect(faultWithinHorizon(900, [], 100)).toBe(0);
  });

  it('grows the positive stretch with the horizon', () => {
    const positives = (h: number) =>
      Array.from({ length: 100 }, (_, i) => faultWithinHorizon(i * 10, [1_000], h)).filter(Boolean).length;
    expect(positives(100)).toBe(10);
    expect(positives(300)).toBe(30);
  });
});

describe('stepsToFailure (TTF target)', () => {
  it('counts samples to the next failure, capped', () => {
    expect(stepsToFailure(0, [50_000], 10_000, 360, 1e9)).toBe(5);
    expect(stepsToFailure(0, [10_000_000], 10_000, 360, 1e9)).toBe(360);
  });
  it('is the cap on a long healthy stretch and unknown when the data ends too soon to tell', () => {
    expect(stepsToFailure(0, [], 10_000, 360, 3_600_000)).toBe(360);
    expect(stepsToFailure(0, [], 10_000, 360, 3_500_000)).toBeUndefined();
  });
});

describe('balancedClassWeights', () => {
  it('weights positives by the imbalance, capped', () => {
    expect(balancedClassWeights([1, 0, 0, 0, 0])).toEqual({ 0: 1, 1: 4 });
    expect(balancedClassWeights([1, ...new Array(999).fill(0)], 50)).toEqual({ 0: 1, 1: 50 });
    expect(balancedClassWeights([0, 0])).toEqual({ 0: 1, 1: 1 });
  });
});
