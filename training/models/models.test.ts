import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildAnomalyDetector } from './anomaly.js';
import { buildFaultPredictor } from './fault.js';
import { buildThroughputModel } from './throughput.js';
import { buildTtfModel, cappedTtf, memberTargets, TTF_MLP_DEFAULTS } from './ttf.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const shapeOf = (model: tf.LayersModel, input: tf.Tensor): number[] =>
  tf.tidy(() => (model.predict(input) as tf.Tensor).shape as number[]);

describe('model families', () => {
  it('anomaly autoencoder reconstructs [N, T, F] windows, also univariate', () => {
    for (const features of [1, 3]) {
      const model = buildAnomalyDetector({ windowLength: 6, features, units: 4 });
      expect(shapeOf(model, tf.zeros([2, 6, features]))).toEqual([2, 6, features]);
      expect(model.layers.map((l) => l.getClassName())).toEqual(['LSTM', 'RepeatVector', 'LSTM', 'TimeDistributed']);
      expect(model.layers[0].outputShape).toEqual([null, 8]); // the latent code (default 8 units)
    }
  });

  it('fault predictor gives one probability in [0, 1] per window', () => {
    const model = buildFaultPredictor({ windowLength: 5, features: 2, units: 4, hidden: 3 });
    const out = tf.tidy(() => (model.predict(tf.randomNormal([4, 5, 2], 0, 3, 'float32', 1)) as tf.Tensor).arraySync());
    expect(out).toHaveLength(4);
    for (const [p] of out as number[][]) {
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
    }
  });

  it('ttf regressor and throughput MLP give one value per input', () => {
    expect(shapeOf(buildTtfModel({ windowLength: 5, features: 2, units: 4 }).model, tf.zeros([3, 5, 2]))).toEqual([
      3, 1,
    ]);
    const mlp = buildTtfModel({ architecture: 'mlp', windowLength: 5, features: 2, units: 6, members: 1 });
    expect(mlp.fit).toBe(mlp.model);
    expect(shapeOf(mlp.model, tf.zeros([3, 5, 2]))).toEqual([3, 1]);
    // Per sensor: its 5 values → 8 temporal filters; then 2 sensors × 8 flattened.
    expect(mlp.model.layers.map((l) => l.outputShape)).toEqual([
      [null, 5, 2],
      [null, 2, 5],
      [null, 2, 8],
      [null, 16],
      [null, 6],
      [null, 6],
      [null, 3],
      [null, 1],
    ]);
    expect(() => buildTtfModel({ architecture: 'mlp', windowLength: 5, features: 2, dropout: 1 })).toThrow(/dropout/);
    expect(shapeOf(buildThroughputModel({ features: 7, hidden: [8] }), tf.zeros([5, 7]))).toEqual([5, 1]);
  });

  it('ttf ensemble: one served output, the mean of the members the fit view outputs side by side', () => {
    const { model, fit, members } = buildTtfModel({ architecture: 'mlp', windowLength: 5, features: 2, units: 32 });
    expect(members).toBe(TTF_MLP_DEFAULTS.members);
    const x = tf.randomNormal([3, 5, 2], 0, 1, 'float32', 3);
    const each = tf.tidy(() => (fit.predict(x) as tf.Tensor).arraySync() as number[][]);
    const mean = tf.tidy(() => (model.predict(x) as tf.Tensor).arraySync() as number[][]);
    expect(each[0]).toHaveLength(members);
    // Different seeds per member, so the members differ and the served value is their mean.
    expect(new Set(each[0]).size).toBe(members);
    each.forEach((row, i) => {
      expect(mean[i][0]).toBeCloseTo(row.reduce((a, b) => a + b, 0) / members, 5);
    });
    expect(model.outputNames).toEqual(['ttf_fraction']);
    const y = Float32Array.of(0.1, 0.2);
    expect(memberTargets(y, 3).arraySync()).toEqual([Array(3).fill(y[0]), Array(3).fill(y[1])]);
  });

  it('uses only layers the ONNX exporter supports', () => {
    const allowed = new Set([
      'InputLayer',
      'Dense',
      'LSTM',
      'RepeatVector',
      'TimeDistributed',
      'Dropout',
      'Flatten',
      'Permute',
      'Average',
    ]);
    const models = [
      buildAnomalyDetector({ windowLength: 4, features: 2, units: 2 }),
      buildFaultPredictor({ windowLength: 4, features: 2, units: 2 }),
      buildTtfModel({ windowLength: 4, features: 2, units: 2 }).model,
      buildTtfModel({ architecture: 'mlp', windowLength: 4, features: 2, units: 2 }).model,
      buildThroughputModel({ features: 3 }),
    ];
    for (const m of models) for (const l of m.layers) expect(allowed.has(l.getClassName())).toBe(true);
  });

  it('same seed gives the same initial weights, another seed different ones', () => {
    const weights = (seed: number) =>
      buildFaultPredictor({ windowLength: 4, features: 2, units: 4, seed })
        .getWeights()
        .flatMap((w) => Array.from(w.dataSync()));
    expect(weights(7)).toEqual(weights(7));
    expect(weights(7)).not.toEqual(weights(8));
  });

  it('rejects nonsense sizes by name', () => {
    expect(() => buildAnomalyDetector({ windowLength: 0, features: 2 })).toThrow(/windowLength/);
  });
});

describe('cappedTtf', () => {
  it('is flat at 1 beyond the cap and linear to 0 at failure', () => {
    expect(cappedTtf(500, 100)).toBe(1);
    expect(cappedTtf(100, 100)).toBe(1);
    expect(cappedTtf(25, 100)).toBe(0.25);
    expect(cappedTtf(0, 100)).toBe(0);
    expect(cappedTtf(-3, 100)).toBe(0);
    expect(() => cappedTtf(5, 0)).toThrow(/cap/);
  });
});
