import { describe, expect, it } from 'vitest';
import { mulberry32 } from './datasets/random.js';
import { chooseThreshold, fitGpd, MIN_PEAKS, potThreshold, quantile } from './thresholds.js';

function exponential(n: number, seed: number): Float64Array {
  const r = mulberry32(seed);
  return Float64Array.from({ length: n }, () => -Math.log(1 - r()));
}

function normal(n: number, seed: number): Float64Array {
  const r = mulberry32(seed);
  return Float64Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r()));
}

describe('quantile', () => {
  it('interpolates between order statistics (hand cases)', () => {
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantile([5, 1, 4, 2, 3], 0.9)).toBeCloseTo(4.6, 12);
    expect(quantile([10, 20], 0.25)).toBe(12.5);
    expect(quantile([3, Number.NaN, 1], 1)).toBe(3);
    expect(quantile([7], 0.995)).toBe(7);
  });
});

describe('fitGpd', () => {
  it('recovers an exponential tail as gamma ≈ 0 and sigma ≈ mean', () => {
    const fit = fitGpd(exponential(20_000, 1).map((v) => v * 2));
    expect(Math.abs(fit.gamma)).toBeLessThan(0.03);
    expect(fit.sigma).toBeCloseTo(2, 1);
  });

  it('recovers a heavy (Pareto-type) tail with gamma > 0', () => {
    // GPD(sigma=1, gamma=0.3) by inversion: Y = sigma/gamma * ((1-U)^-gamma - 1)
    const r = mulberry32(7);
    const y = Array.from({ length: 20_000 }, () => (1 / 0.3) * ((1 - r()) ** -0.3 - 1));
    const fit = fitGpd(y);
    expect(fit.gamma).toBeGreaterThan(0.25);
    expect(fit.gamma).toBeLessThan(0.35);
    expect(fit.sigma).toBeGreaterThan(0.93);
    expect(fit.sigma).toBeLessThan(1.07);
  });

  it('recovers a bounded tail with gamma < 0', () => {
    const r = mulberry32(11);
    const y = Array.from({ length: 20_000 }, () => (1 / -0.3) * ((1 - r()) ** 0.3 - 1));
    const fit = fitGpd(y);
    expect(fit.gamma).toBeGreaterThan(-0.36);
    expect(fit.gamma).toBeLessThan(-0.24);
  });
});

describe('potThreshold', () => {
  it('lands near the true 0.999 quantile of an exponential sample', () => {
    const pot = potThreshold(exponential(50_000, 3), { risk: 1e-3, initialQuantile: 0.98 });
    const truth = Math.log(1000); // 6.908
    expect(Math.abs(pot.value - truth) / truth).toBeLessThan(0.05);
    expect(pot.peaks).toBe(1000);
  });

  it('lands near the true 0.999 quantile of a normal sample, extrapolating past the initial quantile', () => {
    const pot = potThreshold(normal(50_000, 5), { risk: 1e-3, initialQuantile: 0.98 });
    expect(pot.t).toBeCloseTo(2.054, 1);
    expect(pot.gamma).toBeLessThan(0.05); // a light tail
    expect(Math.abs(pot.value - 3.0902)).toBeLessThan(0.12);
  });
});

describe('chooseThreshold', () => {
  it('percentile is exact on a hand case and records both candidates', () => {
    const scores = Array.from({ length: 201 }, (_, i) => i); // 0..200
    const c = chooseThreshold(scores, { method: 'percentile', q: 0.995 });
    expect(c.method).toBe('percentile');
    expect(c.value).toBe(199);
    expect(c.candidates?.percentile).toBe(199);
    expect(Number.isFinite(c.candidates?.pot)).toBe(true);
  });

  it('auto uses POT when there are enough peaks, the percentile otherwise', () => {
    const big = chooseThreshold(exponential(5_000, 9));
    expect(big.method).toBe('pot');
    expect(big.params.peaks).toBeGreaterThanOrEqual(MIN_PEAKS);
    expect(big.value).toBe(big.candidates?.pot);
    const small = chooseThreshold(exponential(500, 9));
    expect(small.params.peaks).toBeLessThan(MIN_PEAKS);
    expect(small.method).toBe('percentile');
    expect(small.value).toBe(small.candidates?.percentile);
  });

  it('rejects scores with nothing finite', () => {
    expect(() => chooseThreshold([Number.NaN])).toThrow(/no finite scores/);
  });
});
