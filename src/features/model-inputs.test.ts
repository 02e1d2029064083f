import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { deriveSeries, rawFields } from './derived.js';
import {
  anomalyWindows,
  latestWindow,
  throughputFromOutput,
  throughputRows,
  throughputTarget,
} from './model-inputs.js';
import { reconstructionScores } from './reconstruction.js';
import { fitScaler } from './scaler.js';
import type { Series } from './windows.js';

// 6 rows of [temp, ecc counter]; the counter resets at row 4 (driver reload).
const series: Series = {
  ts: Float64Array.from([0, 10, 20, 30, 40, 50]),
  values: Float64Array.from([50, 0, 52, 2, 54, 2, 56, 7, 58, 1, 60, 4]),
  features: ['gpu_temp_c', 'ecc_sbe_volatile'],
};

describe('derived features', () => {
  it('computes per-step counter increases, with resets and the first row as 0', () => {
    const d = deriveSeries(series, ['delta:ecc_sbe_volatile', 'gpu_temp_c']);
    expect(d.features).toEqual(['delta:ecc_sbe_volatile', 'gpu_temp_c']);
    expect(Array.from(d.values)).toEqual([0, 50, 2, 52, 0, 54, 5, 56, 0, 58, 3, 60]);
  });

  it('extracts bits of a bitmask field', () => {
    const mask: Series = {
      ts: Float64Array.from([0, 1, 2]),
      values: Float64Array.from([0, 0x24, 0xc8]),
      features: ['r'],
    };
    expect(Array.from(deriveSeries(mask, ['bit5:r', 'bit7:r', 'bit2:r']).values)).toEqual([0, 0, 0, 1, 0, 1, 0, 1, 0]);
    expect(() => deriveSeries(mask, ['bit40:r'])).toThrow(AppError);
  });

  it('names the raw fields a feature list needs, and what is missing', () => {
    expect(rawFields(['delta:ecc_sbe_volatile', 'gpu_temp_c', 'log:ecc_sbe_volatile'])).toEqual([
      'ecc_sbe_volatile',
      'gpu_temp_c',
    ]);
    expect(() => deriveSeries(series, ['power_w'])).toThrow(/power_w/);
    expect(() => deriveSeries(series, ['sqrt:gpu_temp_c'])).toThrow(AppError);
  });

  it('divides one field by another (0 where the divisor is 0) and needs both', () => {
    const fb: Series = {
      ts: Float64Array.from([0, 1, 2]),
      values: Float64Array.from([40_000, 80_000, 79_600, 80_000, 5, 0]),
      features: ['fb_used_mib', 'fb_total_mib'],
    };
    const d = deriveSeries(fb, ['ratio:fb_used_mib/fb_total_mib']);
    expect(Array.from(d.values)).toEqual([0.5, 0.995, 0]);
    expect(rawFields(['ratio:fb_used_mib/fb_total_mib', 'fb_used_mib'])).toEqual(['fb_used_mib', 'fb_total_mib']);
    expect(() => deriveSeries(series, ['ratio:gpu_temp_c/fb_total_mib'])).toThrow(/fb_total_mib/);
    expect(() => deriveSeries(series, ['ratio:gpu_temp_c'])).toThrow(/ratio:<field>\/<field>/);
  });

  it('passes peer columns through as provided by the fleet read', () => {
    const withPeer: Series = { ...series, features: ['below-peers:gpu_util', 'x'] };
    expect(rawFields(['below-peers:gpu_util'])).toEqual(['below-peers:gpu_util']);
    expect(Array.from(deriveSeries(withPeer, ['below-peers:gpu_util']).values)).toEqual([50, 52, 54, 56, 58, 60]);
  });
});

describe('anomalyWindows', () => {
  const meta = {
    features: ['gpu_temp_c', 'delta:ecc_sbe_volatile'],
    scaler: { kind: 'standard' as const, mean: [55, 0], scale: [5, 2] },
    windowLength: 3,
    stride: 1,
  };

  it('selects, derives and scales features in metadata order before windowing', () => {
    const w = anomalyWindows(series, meta);
    expect([w.count, w.length, w.width]).toEqual([4, 3, 2]);
    expect(Array.from(w.data.subarray(0, 6))).toEqual(Array.from(Float32Array.from([-1, 0, -0.6, 1, -0.2, 0])));
    expect(Array.from(w.endTs)).toEqual([20, 30, 40, 50]);
  });

  it('latestWindow equals the last training window when given one extra row', () => {
    const all = anomalyWindows(series, meta);
    const last = latestWindow(series, meta);
    expect(last.count).toBe(1);
    expect(Array.from(last.data)).toEqual(Array.from(all.data.subarray(3 * 6)));
  });
});

describe('throughput rows', () => {
  const features = ['gpu_model=A100', 'gpu_model=H100', 'log:n_gpus', 'power_cap_w'];
  const rows = [
    { symbols: { gpu_model: 'H100' }, values: { n_gpus: 8, power_cap_w: 700 } },
    { symbols: { gpu_model: 'A100' }, values: { n_gpus: 1, power_cap_w: 400 } },
    { symbols: { gpu_model: 'B200' }, values: { n_gpus: 4, power_cap_w: 1000 } },
  ];
  const scaler = { kind: 'standard' as const, mean: [0, 0, 0, 0], scale: [1, 1, 1, 1] };

  it('one-hot encodes categories (unseen → zeros) and applies log transforms', () => {
    const x = throughputRows(rows, { features, scaler });
    expect(Array.from(x.subarray(0, 4))).toEqual([0, 1, Math.fround(Math.log(8)), 700]);
    expect(Array.from(x.subarray(8, 10))).toEqual([0, 0]);
  });

  it('reports rows with missing values by row and field', () => {
    const err = (() => {
      try {
        throughputRows([rows[0], { symbols: { gpu_model: 'H100' }, values: { n_gpus: 2 } }], { features, scaler });
      } catch (e) {
        return e as AppError;
      }
    })();
    expect(err?.code).toBe('VALIDATION_FAILED');
    expect(err?.details).toEqual([{ row: 1, field: 'power_cap_w', reason: 'missing or not finite' }]);
  });

  it('round-trips the log-scaled target', () => {
    const throughput = [1200, 56000, 830];
    const targetScaler = fitScaler(throughput.map(Math.log), 1);
    const meta = { targetScaler, targetTransform: 'log' as const };
    const back = throughputFromOutput(throughputTarget(throughput, meta), meta);
    for (const [i, v] of back.entries()) expect(v).toBeCloseTo(throughput[i], 0);
  });
});

describe('reconstructionScores', () => {
  it('is the mean squared error over the last k steps with per-feature shares', () => {
    // one window, T=2, F=2; errors: t0 = (1, 1), t1 = (3, 1)
    const input = [0, 0, 0, 0];
    const output = [1, 1, 3, 1];
    const all = reconstructionScores(input, output, 1, 2, 2);
    expect(all.scores[0]).toBe((1 + 1 + 9 + 1) / 4);
    expect(Array.from(all.contributions)).toEqual([10 / 12, 2 / 12]);
    expect(reconstructionScores(input, output, 1, 2, 2, 1).scores[0]).toBe(5);
    expect(Array.from(reconstructionScores(input, input, 1, 2, 2).contributions)).toEqual([0, 0]);
  });
});

describe('weighted anomaly scores', () => {
  it('weights squared errors per feature and reads the settings from metadata', async () => {
    const { anomalyScores, featureErrorWeights } = await import('./reconstruction.js');
    const input = [0, 0, 0, 0];
    const output = [1, 1, 3, 1]; // per-feature squared errors over 2 steps: f0 = 1 + 9, f1 = 1 + 1
    const meta = { windowLength: 2, features: ['a', 'b'], scoreWeights: [0.5, 1.5] };
    const r = anomalyScores(meta, input, output, 1);
    expect(r.scores[0]).toBeCloseTo((0.5 * 10 + 1.5 * 2) / 4, 12);
    expect(r.contributions[0]).toBeCloseTo(5 / 8, 12);
    expect(anomalyScores({ windowLength: 2, features: ['a', 'b'] }, input, output, 1).scores[0]).toBe(3);
    // Top 1: the worst feature's weighted mean squared error over the steps (f0: 0.5 × 10 / 2 = 2.5; f1: 1.5 × 2 / 2).
    const top1 = { ...meta, scoreTopFeatures: 1 };
    expect(anomalyScores(top1, input, output, 1).scores[0]).toBeCloseTo(2.5, 12);
    expect(anomalyScores({ ...top1, scoreWeights: [0.1, 1.5] }, input, output, 1).scores[0]).toBeCloseTo(1.5, 12);
    expect(anomalyScores({ ...meta, scoreTopFeatures: 2 }, input, output, 1).scores[0]).toBeCloseTo(r.scores[0], 12);
    // Feature b is reconstructed 4x more precisely than a, so it weighs 4x more; the weights average 1.
    const w = featureErrorWeights([0, 0, 0, 0], [2, 1, 2, 1], 1, 2, 2, 0);
    expect(w[1] / w[0]).toBeCloseTo(4, 12);
    expect((w[0] + w[1]) / 2).toBeCloseTo(1, 12);
  });
});

describe('nonFiniteFields', () => {
  it('names the features with a missing value from a row on', async () => {
    const { nonFiniteFields } = await import('./windows.js');
    const s: Series = {
      ts: Float64Array.from([0, 1, 2]),
      values: Float64Array.from([1, Number.NaN, 2, 5, 3, Number.POSITIVE_INFINITY]),
      features: ['a', 'rack:inlet_temp_c'],
    };
    expect(nonFiniteFields(s)).toEqual(['rack:inlet_temp_c']);
    expect(nonFiniteFields(s, 1)).toEqual(['rack:inlet_temp_c']);
    expect(nonFiniteFields({ ...s, values: Float64Array.from([1, Number.NaN, 2, 5, 3, 4]) }, 1)).toEqual([]);
  });
});
