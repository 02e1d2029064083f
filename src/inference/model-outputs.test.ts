import { describe, expect, test } from 'vitest';
import type { ModelMetadata } from '../features/model-metadata.js';
import type { SlidingDetection } from './detection/find-anomalies.js';
import {
  anomalyRule,
  exceeds,
  faultAlarmThreshold,
  faultOutputs,
  historyWindows,
  horizonMinutes,
  nonFiniteWindows,
  pointScores,
  primaryOutput,
  requireFinite,
  anomalyVerdicts as scoreWindows,
  seriesVerdicts,
  timeToFailure,
  topShares,
  type WindowVerdict,
} from './model-outputs.js';

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

describe('anomalyVerdicts', () => {
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
      steps: 90,
      beyondCap: false,
      capMinutes: 60,
    });
    expect(timeToFailure(1.2, { ...base, ttfCapSteps: 360 })).toMatchObject({
      minutes: 60,
      steps: 360,
      beyondCap: true,
    });
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

describe('one verdict comparison', () => {
  test('a value exactly at the threshold is not past it', () => {
    expect(exceeds(0.5, 0.5)).toBe(false);
    expect(exceeds(0.5000001, 0.5)).toBe(true);
    const T = 2;
    const input = new Float32Array(T * 3);
    const recon = new Float32Array(T * 3).fill(0.5); // score 0.25 exactly
    const at = {
      features: FEATURES,
      windowLength: T,
      threshold: { value: 0.25, method: 'fixed' as const, params: {} },
    };
    expect(scoreWindows(at, input, recon, 1)[0]).toMatchObject({ score: 0.25, anomalous: false });
  });
});

describe('fault outputs', () => {
  const meta = {
    name: 'fault',
    version: 'v7',
    threshold: { value: 0.9, method: 'fixed' as const, params: {} },
  };
  test("alarm strictly above the model's own threshold, which names its source", () => {
    const out = faultOutputs(meta, [0.5, 0.9, 0.95]);
    expect(out.map((o) => o.alarm)).toEqual([false, false, true]);
    expect(out[2].threshold).toEqual({
      value: 0.9,
      source: 'model fault@v7 (model.json threshold, fixed, on raw scores)',
    });
    expect(out[2].probability).toBe(0.95); // no calibration: the raw score
    expect(faultOutputs({ ...meta, threshold: undefined }, [0.99])[0]).toMatchObject({ alarm: null, threshold: null });
  });

  test('a calibration map turns raw scores into probabilities; its threshold is on that scale', () => {
    const calibration = { method: 'isotonic' as const, x: [0, 0.5, 0.95], y: [0.01, 0.1, 0.6], metrics: {} };
    const calibrated = { ...meta, calibration, threshold: { value: 0.3, method: 'fixed' as const, params: {} } };
    const out = faultOutputs(calibrated, [0.2, 0.92, 0.97]);
    expect(out.map((o) => o.probability)).toEqual([0.01, 0.1, 0.6]);
    expect(faultAlarmThreshold(calibrated)).toEqual({
      value: 0.3,
      source: 'model fault@v7 (model.json threshold, fixed, on probabilities calibrated by isotonic)',
    });
    expect(out.map((o) => o.alarm)).toEqual([false, false, true]);
    expect(out[1].rawScore).toBeCloseTo(0.92, 6);
    const platt = faultOutputs({ ...meta, calibration: { method: 'platt', a: 1, b: -2, metrics: {} } }, [0.5]);
    expect(platt[0].probability).toBeCloseTo(1 / (1 + Math.exp(2)), 9);
  });
});

describe('non-finite outputs', () => {
  const meta = { name: 'ae', version: 'v1', features: FEATURES, windowLength: 2 };
  test('names the windows and the inputs that overflowed', () => {
    const input = new Float32Array(12);
    input[6 + 1] = Number.POSITIVE_INFINITY; // window 1, power_w
    expect(nonFiniteWindows([0.1, Number.NaN], meta, input)).toEqual([{ window: 1, features: ['power_w'] }]);
    expect(() => requireFinite('anomaly score', [0.1, Number.NaN], meta, input)).toThrow(
      expect.objectContaining({
        code: 'SCORE_NOT_FINITE',
        status: 422,
        details: { windows: [{ index: 1, features: ['power_w'] }] },
      }),
    );
    expect(() => requireFinite('anomaly score', [0.1, 0.2], meta, input)).not.toThrow();
  });
});

describe('seriesVerdicts (a series of windows, by the model rule)', () => {
  const detection: SlidingDetection = {
    method: 'sliding-window',
    smoothingFraction: 0,
    smoothingMaxSpan: 0,
    windowFraction: 1,
    stepFraction: 1,
    threshold: 'sigma',
    k: 2,
    padding: 1,
    pruneMinPercent: 0,
    mergeGap: 0,
    historyRows: 20,
  };
  const meta = (extra: object) =>
    ({ family: 'anomaly', threshold: { value: 5, method: 'fixed', params: {} }, ...extra }) as unknown as ModelMetadata;
  // Flat 1s with a bump at 10..11 (3 < threshold 5): only the detector sees it.
  const scores: number[] = Array.from({ length: 20 }, (_, i) => (i === 10 || i === 11 ? 3 : 1));
  const verdicts = (xs: number[]): WindowVerdict[] =>
    xs.map((score) => ({ score, threshold: 5, anomalous: exceeds(score, 5), topFeatures: [] }));

  test('a threshold model keeps its per-window verdicts', () => {
    const m = meta({});
    expect(anomalyRule(m)).toBe('threshold');
    expect(historyWindows(m)).toBe(1);
    expect(seriesVerdicts(m, verdicts(scores)).some((v) => v.anomalous)).toBe(false);
  });

  test('a model with detection: the bump and its padding are anomalous, the rest not', () => {
    const m = meta({ detection });
    expect(anomalyRule(m)).toBe('sliding-window');
    expect(historyWindows(m)).toBe(20);
    const out = seriesVerdicts(m, verdicts(scores));
    expect(out.flatMap((v, i) => (v.anomalous ? [i] : []))).toEqual([9, 10, 11, 12]);
    expect(out.map((v) => v.score)).toEqual(scores);
  });

  test('a window without a finite score is no alarm and does not poison the rest', () => {
    const withGap = [...scores];
    withGap[3] = Number.NaN;
    const out = seriesVerdicts(meta({ detection }), verdicts(withGap));
    expect(out[3].anomalous).toBe(false);
    expect(out.flatMap((v, i) => (v.anomalous ? [i] : []))).toEqual([9, 10, 11, 12]);
  });
});

describe('pointScores (each row its own error)', () => {
  // T=2, one feature, rows x = 1,2,3,4 in three windows; each window reconstructs its rows differently.
  const meta = { windowLength: 2, features: ['v'] };
  const input = [1, 2, 2, 3, 3, 4];
  const reconstruction = [0, 0, 2, 1, 5, 4];

  test("a window's value is its last row's error against that row's mean reconstruction over all windows", () => {
    // row 1: (0 + 2) / 2 = 1 → |2 − 1|; row 2: (1 + 5) / 2 = 3 → 0; row 3: only the last window, 4 → 0.
    expect(Array.from(pointScores(meta, input, reconstruction, 3))).toEqual([1, 0, 0]);
  });

  test('weights scale the squared error, and a series with its detection uses them as its scores', () => {
    expect(Array.from(pointScores({ ...meta, scoreWeights: [4] }, input, reconstruction, 3))).toEqual([2, 0, 0]);
    const detection = {
      method: 'sliding-window',
      errors: 'point',
      smoothingFraction: 0,
      smoothingMaxSpan: 0,
      windowFraction: 1,
      stepFraction: 1,
      threshold: 'sigma',
      k: 1,
      padding: 0,
      pruneMinPercent: 0,
      mergeGap: 0,
    };
    const m = { ...meta, family: 'anomaly', detection } as unknown as ModelMetadata;
    const v: WindowVerdict[] = [9, 9, 9].map((score) => ({ score, threshold: null, anomalous: null, topFeatures: [] }));
    const out = seriesVerdicts(m, v, { input, reconstruction });
    expect(out.map((x) => x.score)).toEqual([1, 0, 0]);
    expect(out.map((x) => x.anomalous)).toEqual([true, false, false]);
    expect(() => seriesVerdicts(m, v)).toThrow(/point errors need the windows/);
  });
});
