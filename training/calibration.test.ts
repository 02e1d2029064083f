import { describe, expect, it } from 'vitest';
import { calibratedProbability, logit } from '../src/inference/calibration.js';
import {
  brierScore,
  chooseCalibration,
  expectedCalibrationError,
  fitIsotonic,
  fitPlatt,
  reliabilityBins,
} from './calibration.js';
import { mulberry32 } from './datasets/random.js';

/** Raw scores whose true fault probability is σ(a·logit(s) + b): an overconfident network when a < 1. */
function synthetic(n: number, a: number, b: number, seed = 1) {
  const rng = { next: mulberry32(seed) };
  const scores: number[] = [];
  const labels: number[] = [];
  const groups: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = 1 / (1 + Math.exp(-(rng.next() * 16 - 8)));
    const p = 1 / (1 + Math.exp(-(a * logit(s) + b)));
    scores.push(s);
    labels.push(rng.next() < p ? 1 : 0);
    groups.push(i % 7);
  }
  return { scores, labels, groups };
}

describe('calibration measures', () => {
  it('Brier score and ECE of known predictions', () => {
    expect(brierScore([1, 0, 0.5], [1, 0, 1])).toBeCloseTo(0.25 / 3, 12);
    expect(brierScore([0.5, 0.5], [1, 0], [3, 1])).toBeCloseTo(0.25, 12);
    // One bin at 0.9 observed 0.5 (weight 2 of 4), one at 0.1 observed 0: ECE = 0.5·0.4 + 0.5·0.1.
    expect(expectedCalibrationError([0.9, 0.9, 0.1, 0.1], [1, 0, 0, 0])).toBeCloseTo(0.25, 12);
    expect(expectedCalibrationError([0.3, 0.3], [0, 1])).toBeCloseTo(0.2, 12);
    // The reliability diagram's points are those bins: mean prediction, observed frequency, weight.
    expect(reliabilityBins([0.9, 0.9, 0.1, 0.1], [1, 0, 0, 0])).toEqual([
      { predicted: 0.1, observed: 0, weight: 2 },
      { predicted: 0.9, observed: 0.5, weight: 2 },
    ]);
  });
});

describe('fitting', () => {
  it('Platt scaling recovers the map that generated the outcomes', () => {
    const d = synthetic(20_000, 0.5, -1);
    const { a, b } = fitPlatt(d);
    expect(a).toBeCloseTo(0.5, 1);
    expect(b).toBeCloseTo(-1, 1);
  });

  it('isotonic regression pools adjacent violators into a non-decreasing map', () => {
    expect(fitIsotonic({ scores: [0.1, 0.2, 0.3, 0.4], labels: [0, 1, 0, 1] })).toEqual({
      x: [0.1, 0.2, 0.4],
      y: [0, 0.5, 1],
    });
    const fitted = fitIsotonic(synthetic(5_000, 0.5, 0));
    for (let i = 1; i < fitted.y.length; i++) expect(fitted.y[i]).toBeGreaterThan(fitted.y[i - 1]);
  });

  it('weights stand for thinned windows: ten healthy windows per kept one lower the probability', () => {
    const d = { scores: [0.9, 0.9], labels: [1, 0] };
    expect(fitIsotonic(d).y).toEqual([0.5]);
    expect(fitIsotonic({ ...d, weights: [1, 10] }).y[0]).toBeCloseTo(1 / 11, 12);
  });
});

describe('chooseCalibration', () => {
  it('turns an overconfident score into probabilities: lower Brier score and ECE than the raw score', () => {
    const d = synthetic(20_000, 0.4, -1.5);
    const c = chooseCalibration(d, d.groups);
    expect(c).toBeDefined();
    const m = c!.metrics;
    expect(m.brier).toBeLessThan(m.brierRaw);
    expect(m.ece).toBeLessThan(0.02);
    expect(m.eceRaw).toBeGreaterThan(0.1);
    expect(m.heldOutFolds).toBe(2);
    // A smooth generating map: Platt fits it with two parameters, isotonic's steps do not beat it held out.
    expect(c!.method).toBe('platt');
    const p = calibratedProbability(0.99, c);
    expect(p).toBeCloseTo(1 / (1 + Math.exp(-(0.4 * logit(0.99) - 1.5))), 1);
  });

  it('a step-shaped truth is isotonic territory', () => {
    const rng = { next: mulberry32(3) };
    const scores = Array.from({ length: 20_000 }, () => rng.next());
    const labels = scores.map((s) => (rng.next() < (s > 0.7 ? 0.6 : 0.02) ? 1 : 0));
    const c = chooseCalibration(
      { scores, labels },
      scores.map((_, i) => i % 5),
    );
    expect(c?.method).toBe('isotonic');
    expect(calibratedProbability(0.9, c)).toBeCloseTo(0.6, 1);
    expect(calibratedProbability(0.3, c)).toBeCloseTo(0.02, 1);
  });

  it('Platt when too few failing entities leave no fold with faults on both sides (isotonic would fit them exactly)', () => {
    const rng = { next: mulberry32(5) };
    const scores = Array.from({ length: 4_000 }, () => rng.next());
    const labels = scores.map((s) => (rng.next() < (s > 0.7 ? 0.6 : 0.02) ? 1 : 0));
    // Every fault on even entities: the odd fold has none.
    const groups = labels.map((y, i) => (y > 0.5 ? 0 : i % 5));
    const c = chooseCalibration({ scores, labels }, groups);
    expect(c?.method).toBe('platt');
    expect(c?.metrics.heldOutFolds).toBe(0);
  });

  it('no calibration without both classes', () => {
    expect(chooseCalibration({ scores: [0.1, 0.9], labels: [0, 0] }, [0, 1])).toBeUndefined();
  });
});
