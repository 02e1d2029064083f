import { describe, expect, test } from 'vitest';
import { scoreWindows, topShares } from './anomaly-scoring.js';
import { horizonMinutes, primaryOutput, timeToFailure } from './predictions.js';

const FEATURES = ['gpu_temp_c', 'power_w', 'sm_clock_mhz'];

/** Two windows of T=2: the reconstruction misses by `errs[w][f]` on every step of feature f. */
function pair(errs: number[][]) {
  const T = 2;
  const F = FEATURES.length;
  const input = new Float32Array(errs.length * T * F).map((_, i) => i / 10);
  const recon = new Float32Array(input);
  errs.forEach((e, w) => {
    for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) recon[(w * T + t) * F + f] += e[f];
  });
  return { input, recon, T };
}

describe('scoreWindows', () => {
  test('score is the mean squared error; shares say which features carry it; verdict uses the threshold', () => {
    const { input, recon, T } = pair([
      [0.1, 0.2, 0],
      [1, 0, 0],
    ]);
    const meta = {
      features: FEATURES,
      windowLength: T,
      threshold: { value: 0.1, method: 'fixed' as const, params: {} },
    };
    const [a, b] = scoreWindows(meta, input, recon, 2);
    expect(a.score).toBeCloseTo((0.01 + 0.04) / 3, 6);
    expect(a.anomalous).toBe(false);
    expect(a.topFeatures.map((f) => f.feature)).toEqual(['power_w', 'gpu_temp_c']); // no-error feature left out
    expect(a.topFeatures[0].share).toBeCloseTo(0.8, 5);
    expect(b.score).toBeCloseTo(1 / 3, 6);
    expect(b).toMatchObject({ threshold: 0.1, anomalous: true, topFeatures: [{ feature: 'gpu_temp_c', share: 1 }] });
  });

  test('no threshold in model.json: no verdict rather than a guess', () => {
    const { input, recon, T } = pair([[1, 1, 1]]);
    const [v] = scoreWindows({ features: FEATURES, windowLength: T }, input, recon, 1);
    expect([v.threshold, v.anomalous]).toEqual([null, null]);
  });

  test('scoreLastSteps restricts the score to the last steps of the window', () => {
    const T = 2;
    const input = new Float32Array(T * 3);
    const recon = new Float32Array(T * 3);
    recon[0] = 3; // error only on the first step
    const meta = { features: FEATURES, windowLength: T, scoreLastSteps: 1 };
    expect(scoreWindows(meta, input, recon, 1)[0].score).toBe(0);
    expect(scoreWindows({ ...meta, scoreLastSteps: undefined }, input, recon, 1)[0].score).toBeCloseTo(9 / 6, 6);
  });

  test('scoreWeights from model.json weigh each feature error', () => {
    const { input, recon, T } = pair([[1, 1, 0]]);
    const [v] = scoreWindows({ features: FEATURES, windowLength: T, scoreWeights: [2, 0.5, 0.5] }, input, recon, 1);
    expect(v.score).toBeCloseTo((2 + 0.5) / 3, 6);
    expect(v.topFeatures.map((f) => f.feature)).toEqual(['gpu_temp_c', 'power_w']);
    expect(v.topFeatures[0].share).toBeCloseTo(0.8, 6);
  });

  test('a reconstruction of the wrong size is refused', () => {
    expect(() =>
      scoreWindows({ features: FEATURES, windowLength: 2 }, new Float32Array(6), new Float32Array(5), 1),
    ).toThrow(/expected 6/);
  });

  test('topShares keeps the k largest, ties in feature order', () => {
    expect(topShares([0.25, 0.5, 0.25], 0, FEATURES, 2).map((s) => s.feature)).toEqual(['power_w', 'gpu_temp_c']);
  });
});

describe('predictions', () => {
  const base = { name: 'm', version: 'v1', samplePeriodMs: 10_000 };
  test('horizon and time to failure in minutes', () => {
    expect(horizonMinutes({ ...base, horizonSteps: 30 })).toBe(5);
    expect(timeToFailure(0.25, { ...base, ttfCapSteps: 360 })).toEqual({
      minutes: 15,
      beyondCap: false,
      capMinutes: 60,
    });
    expect(timeToFailure(1.2, { ...base, ttfCapSteps: 360 })).toMatchObject({ minutes: 60, beyondCap: true });
    expect(timeToFailure(-0.1, { ...base, ttfCapSteps: 360 }).minutes).toBe(0);
    expect(() => horizonMinutes(base)).toThrow(/horizonSteps/);
  });

  test('primaryOutput follows model.json, else the only output', () => {
    const meta = { ...base, onnx: { file: 'model.onnx', input: 'input', outputs: ['b'], opset: 17 } };
    expect(primaryOutput(meta, { a: 1, b: 2 })).toBe(2);
    expect(primaryOutput({ ...base, onnx: undefined }, { a: 1 })).toBe(1);
    expect(() => primaryOutput(meta, {})).toThrow(/no output/);
  });
});
