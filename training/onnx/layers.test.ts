/**
 * Per-layer parity: each supported layer (and option) in a tiny model, seeded weights, tfjs predict vs
 * onnxruntime-node CPU. Tolerance 1e-4 absolute (float32 kernels differ in summation order, nothing more).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SUPPORTED_ACTIVATIONS } from './activations.js';
import { compareWithOnnx, randomizeWeights, uniformInput, useTestBackend } from './parity-harness.js';

const TOLERANCE = 1e-4;

beforeAll(async () => {
  await useTestBackend();
});

async function expectParity(model: tf.LayersModel, shape: number[], seed = 7, range = 2): Promise<void> {
  randomizeWeights(model, seed);
  const result = await compareWithOnnx(model, uniformInput(shape, seed + 1, range), shape);
  for (const diff of result.maxAbsDiff) expect(diff).toBeLessThan(TOLERANCE);
}

function sequential(inputShape: number[], layers: tf.layers.Layer[]): tf.LayersModel {
  const input = tf.input({ shape: inputShape });
  let x: tf.SymbolicTensor = input;
  for (const layer of layers) x = layer.apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x });
}

describe('Dense activations', () => {
  it.each(SUPPORTED_ACTIVATIONS)('Dense(%s) matches tfjs on 2-D input', async (activation) => {
    const model = sequential([6], [tf.layers.dense({ units: 5, activation: activation as 'linear' })]);
    await expectParity(model, [4, 6], 11, 3);
  });

  it('Dense without bias, and Dense on a 3-D input', async () => {
    await expectParity(sequential([6], [tf.layers.dense({ units: 3, useBias: false })]), [2, 6]);
    await expectParity(sequential([5, 4], [tf.layers.dense({ units: 3, activation: 'tanh' })]), [2, 5, 4]);
  });
});

describe('LSTM', () => {
  const pairs: [string, string][] = [
    ['tanh', 'sigmoid'],
    ['tanh', 'hardSigmoid'],
    ['relu', 'sigmoid'],
    ['softsign', 'hardSigmoid'],
    // elu and hardSigmoid both take parameters: checks the order ONNX Runtime consumes activation_alpha/beta in.
    ['elu', 'hardSigmoid'],
    ['softplus', 'sigmoid'],
  ];
  it.each(pairs)('activation %s, recurrentActivation %s', async (activation, recurrentActivation) => {
    const lstm = tf.layers.lstm({
      units: 5,
      returnSequences: true,
      activation: activation as 'tanh',
      recurrentActivation: recurrentActivation as 'sigmoid',
    });
    await expectParity(sequential([7, 3], [lstm]), [3, 7, 3]);
  });

  it('last step only, and no bias', async () => {
    await expectParity(sequential([9, 4], [tf.layers.lstm({ units: 6 })]), [5, 9, 4]);
    await expectParity(sequential([9, 4], [tf.layers.lstm({ units: 6, useBias: false })]), [5, 9, 4]);
  });
});

describe('structural layers', () => {
  it('RepeatVector, Flatten, Reshape, Permute', async () => {
    await expectParity(sequential([4], [tf.layers.repeatVector({ n: 3 }), tf.layers.flatten()]), [2, 4]);
    await expectParity(
      sequential([12], [tf.layers.reshape({ targetShape: [3, 4] }), tf.layers.dense({ units: 2 })]),
      [2, 12],
    );
    // tfjs leaves an inferred (-1) dimension unknown; the ONNX output then gets a symbolic dimension.
    await expectParity(sequential([12], [tf.layers.reshape({ targetShape: [2, -1] })]), [2, 12]);
    await expectParity(sequential([3, 5], [tf.layers.permute({ dims: [2, 1] }), tf.layers.flatten()]), [2, 3, 5]);
  });

  it('Dropout family is the identity at inference', async () => {
    const layers = [
      tf.layers.dropout({ rate: 0.5 }),
      tf.layers.gaussianNoise({ stddev: 1 }),
      tf.layers.gaussianDropout({ rate: 0.3 }),
      tf.layers.alphaDropout({ rate: 0.3 }),
      tf.layers.dense({ units: 2 }),
    ];
    await expectParity(sequential([4], layers), [3, 4]);
  });

  it('activation layers: Activation, ReLU(maxValue), LeakyReLU, Softmax', async () => {
    const layers = [
      tf.layers.dense({ units: 6 }),
      tf.layers.activation({ activation: 'selu' }),
      tf.layers.reLU({ maxValue: 0.7 }),
      tf.layers.dense({ units: 6 }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.softmax(),
    ];
    await expectParity(sequential([4], layers), [3, 4]);
  });

  it('merges: Concatenate, Add, Multiply, Average, Maximum, Minimum', async () => {
    const input = tf.input({ shape: [5] });
    const a = tf.layers.dense({ units: 4 }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.dense({ units: 4, activation: 'tanh' }).apply(input) as tf.SymbolicTensor;
    const c = tf.layers.dense({ units: 4 }).apply(input) as tf.SymbolicTensor;
    const merged = [
      tf.layers.concatenate().apply([a, b]),
      tf.layers.add().apply([a, b, c]),
      tf.layers.multiply().apply([a, b, c]),
      tf.layers.average().apply([a, c]),
      tf.layers.maximum().apply([a, b]),
      tf.layers.minimum().apply([b, c]),
    ] as tf.SymbolicTensor[];
    const out = tf.layers.concatenate({ axis: 1 }).apply(merged) as tf.SymbolicTensor;
    await expectParity(tf.model({ inputs: input, outputs: out }), [3, 5]);
  });

  it('TimeDistributed over Dense, Activation and LayerNormalization', async () => {
    const layers = [
      tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 4, activation: 'relu' }) }),
      tf.layers.timeDistributed({ layer: tf.layers.layerNormalization() }),
      tf.layers.timeDistributed({ layer: tf.layers.activation({ activation: 'sigmoid' }) }),
    ];
    await expectParity(sequential([6, 3], layers), [2, 6, 3]);
  });
});

describe('normalization', () => {
  it('BatchNormalization (moving statistics) on 2-D and 3-D inputs', async () => {
    await expectParity(sequential([5], [tf.layers.batchNormalization()]), [4, 5]);
    await expectParity(sequential([6, 3], [tf.layers.batchNormalization({ center: false })]), [2, 6, 3]);
  });

  it('LayerNormalization with and without scale', async () => {
    await expectParity(sequential([5], [tf.layers.layerNormalization({ epsilon: 1e-5 })]), [4, 5]);
    await expectParity(sequential([6, 3], [tf.layers.layerNormalization({ scale: false })]), [2, 6, 3]);
  });
});
