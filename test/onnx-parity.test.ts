/**
 * Exporter parity for every model family the product ships, in the shapes it uses, with seeded random weights:
 * tfjs `predict` vs onnxruntime-node `InferenceSession.run` (CPU execution provider) on uniform random inputs
 * and on telemetry-like windows, at batch 1 and 64.
 * Tolerance: 1e-4 absolute on every output element.
 * Prints the max |diff| per family and the anomaly model's export time (method: median of 5 exportToOnnx calls
 * after one warm-up, wall clock).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTtfModel } from '../training/models/ttf.js';
import { exportToOnnx } from '../training/onnx/export.js';
import {
  compareWithOnnx,
  randomizeWeights,
  realisticWindows,
  uniformInput,
  useTestBackend,
} from '../training/onnx/parity-harness.js';

const TOLERANCE = 1e-4;
const BATCHES = [1, 64];
const worst = new Map<string, number>();
let backend = '';

beforeAll(async () => {
  backend = await useTestBackend();
});

afterAll(() => {
  const rows = [...worst].map(([family, diff]) => `  ${family.padEnd(32)} max|diff| ${diff.toExponential(2)}`);
  console.log(`ONNX parity (tfjs ${backend} vs onnxruntime cpu), tolerance ${TOLERANCE}:\n${rows.join('\n')}`);
});

/** Checks one family at both batch sizes on uniform and structured inputs; records the worst difference. */
async function checkFamily(family: string, model: tf.LayersModel, inner: number[], windows: boolean): Promise<void> {
  randomizeWeights(model, family.length * 97);
  for (const batch of BATCHES) {
    const shape = [batch, ...inner];
    const inputs = [uniformInput(shape, batch, 2.5)];
    if (windows) inputs.push(realisticWindows(batch, inner[0], inner[1], batch + 1));
    else inputs.push(uniformInput(shape, batch + 2, 6)); // MLP: wide-range rows too, to drive relus/saturation
    for (const input of inputs) {
      const { maxAbsDiff } = await compareWithOnnx(model, input, shape);
      for (const diff of maxAbsDiff) {
        expect(diff).toBeLessThan(TOLERANCE);
        worst.set(family, Math.max(worst.get(family) ?? 0, diff));
      }
    }
  }
}

function anomalyAutoencoder(T: number, F: number): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.lstm({ units: 16, returnSequences: false, inputShape: [T, F] }),
      tf.layers.repeatVector({ n: T }),
      tf.layers.lstm({ units: 16, returnSequences: true }),
      tf.layers.timeDistributed({ layer: tf.layers.dense({ units: F }), name: 'reconstruction' }),
    ],
  });
}

describe('ONNX parity by model family', () => {
  it('anomaly: LSTM autoencoder, T=30, F=8', async () => {
    const model = anomalyAutoencoder(30, 8);
    await checkFamily('anomaly LSTM-AE F=8', model, [30, 8], true);

    exportToOnnx(model, { name: 'anomaly', version: 'warmup', features: [] });
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      exportToOnnx(model, { name: 'anomaly', version: String(i), features: [] });
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    console.log(`anomaly model export: median ${times[2].toFixed(1)} ms (min ${times[0].toFixed(1)}) over 5 runs`);
  });

  it('anomaly: univariate LSTM autoencoder, T=30, F=1', async () => {
    await checkFamily('anomaly LSTM-AE F=1', anomalyAutoencoder(30, 1), [30, 1], true);
  });

  it('fault: LSTM(32) → Dropout → Dense(16, relu) → Dense(1, sigmoid)', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.lstm({ units: 32, inputShape: [30, 8] }),
        tf.layers.dropout({ rate: 0.2 }),
        tf.layers.dense({ units: 16, activation: 'relu' }),
        tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'fault_probability' }),
      ],
    });
    await checkFamily('fault classifier', model, [30, 8], true);
  });

  it('fault: two heads (probability + TTF) on a shared LSTM trunk', async () => {
    const input = tf.input({ shape: [30, 8] });
    let trunk = tf.layers.lstm({ units: 32 }).apply(input) as tf.SymbolicTensor;
    trunk = tf.layers.dropout({ rate: 0.2 }).apply(trunk) as tf.SymbolicTensor;
    trunk = tf.layers.dense({ units: 16, activation: 'relu' }).apply(trunk) as tf.SymbolicTensor;
    const prob = tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'fault_probability' }).apply(trunk);
    const ttf = tf.layers.dense({ units: 1, name: 'ttf' }).apply(trunk);
    const model = tf.model({ inputs: input, outputs: [prob, ttf] as tf.SymbolicTensor[] });
    await checkFamily('fault two-headed', model, [30, 8], true);
  });

  it('ttf: the run-to-failure model as built for a CSV (3 members by default, each Permute → Dense(8) over time → Flatten → Dense 64 → Dropout → Dense 32 → Dense 1, averaged), T=30, F=16', async () => {
    const { model, members } = buildTtfModel({ architecture: 'mlp', windowLength: 30, features: 16 });
    const member = ['Dense', 'Flatten', 'Dense', 'Dropout', 'Dense', 'Dense'];
    const classes = model.layers.map((l) => l.getClassName());
    expect(classes.slice(0, 2)).toEqual(['InputLayer', 'Permute']);
    expect(classes.at(-1)).toBe('Average');
    expect(classes.filter((c) => c === 'Dense')).toHaveLength(members * 4);
    expect(classes).toHaveLength(3 + members * member.length);
    await checkFamily('ttf window MLP ensemble', model, [30, 16], true);
  });

  it('throughput: MLP Dense(64, relu) → Dense(32, relu) → Dense(1), F=12', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ units: 64, activation: 'relu', inputShape: [12] }),
        tf.layers.dense({ units: 32, activation: 'relu' }),
        tf.layers.dense({ units: 1, name: 'throughput' }),
      ],
    });
    await checkFamily('throughput MLP', model, [12], false);
  });

  it('stacked LSTMs with returnSequences and hardSigmoid recurrent activation', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.lstm({ units: 12, returnSequences: true, recurrentActivation: 'hardSigmoid', inputShape: [30, 8] }),
        tf.layers.lstm({ units: 8, returnSequences: true, recurrentActivation: 'hardSigmoid' }),
        tf.layers.lstm({ units: 6, returnSequences: false, recurrentActivation: 'hardSigmoid' }),
        tf.layers.dense({ units: 1 }),
      ],
    });
    await checkFamily('stacked LSTM hardSigmoid', model, [30, 8], true);
  });
});
