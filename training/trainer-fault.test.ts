import { describe, expect, it } from 'vitest';
import { bestF1Threshold } from './trainer-fault.js';

describe('bestF1Threshold', () => {
  const prob = [0.9, 0.8, 0.6, 0.3, 0.2, 0.1];
  const y = [1, 1, 0, 1, 0, 0];

  it('picks the probability cut with the best F1 (an alarm is a probability strictly above it)', () => {
    const t = bestF1Threshold(prob, y);
    expect(t.value).toBeGreaterThanOrEqual(0.2);
    expect(t.value).toBeLessThan(0.3);
    expect(t.f1).toBeCloseTo(6 / 7, 6); // tp 3, fp 1, fn 0
  });

  it('counts thinned negatives as many windows as they stand for', () => {
    // The negative at 0.6 stands for 20 windows: alarming on it now costs more than missing the 0.3 positive.
    const t = bestF1Threshold(prob, y, [1, 1, 20, 1, 1, 1]);
    expect(t.value).toBeGreaterThanOrEqual(0.6);
    expect(t.value).toBeLessThan(0.8);
    expect(t.f1).toBeCloseTo(4 / 5, 6); // tp 2, fp 0, fn 1
  });

  it('finds cuts below 5 % on calibrated probabilities of a rare failure', () => {
    const t = bestF1Threshold([0.04, 0.03, 0.001, 0.0005], [1, 1, 0, 0]);
    expect(t.value).toBeGreaterThanOrEqual(0.001);
    expect(t.value).toBeLessThan(0.03);
    expect(t.f1).toBe(1);
  });

  it('falls back to 0.5 without positives', () => {
    expect(bestF1Threshold([0.2, 0.7], [0, 0]).value).toBe(0.5);
  });
});
