import { describe, expect, it } from 'vitest';
import { mae, mape, phm08Score, r2, rmse } from './regression.js';

describe('regression metrics', () => {
  const truth = [10, 20, 30, 40];
  const pred = [12, 18, 33, 40];
  it('RMSE and MAE', () => {
    expect(rmse(pred, truth)).toBeCloseTo(Math.sqrt((4 + 4 + 9 + 0) / 4), 12);
    expect(mae(pred, truth)).toBe(7 / 4);
  });
  it('MAPE skips zero targets', () => {
    expect(mape(pred, truth)).toBeCloseTo((100 * (0.2 + 0.1 + 0.1 + 0)) / 4, 10);
    expect(mape([1, 5], [0, 4])).toBeCloseTo(25, 12);
  });
  it('R²', () => {
    // mean 25, SS_tot = 225+25+25+225 = 500, SS_res = 17
    expect(r2(pred, truth)).toBeCloseTo(1 - 17 / 500, 12);
    expect(r2(truth, truth)).toBe(1);
  });
  it('PHM08 punishes late predictions more than early ones', () => {
    expect(phm08Score([10], [10])).toBe(0);
    expect(phm08Score([0], [13])).toBeCloseTo(Math.E - 1, 12); // d = -13 (early)
    expect(phm08Score([20], [10])).toBeCloseTo(Math.E - 1, 12); // d = +10 (late)
    expect(phm08Score([15], [10])).toBeGreaterThan(phm08Score([5], [10])); // same |d|, late costs more
  });
  it('rejects arrays of different length', () => {
    expect(() => rmse([1], [1, 2])).toThrow(/differ in length/);
  });
});
