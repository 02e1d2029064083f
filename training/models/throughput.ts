/**
 * Throughput regressor: an MLP P = f(hardware, run) over one job row (one-hot gpu_model, log sizes, power cap,
 * clocks, temperature) → scaled log-throughput (metadata.targetTransform = 'log', targetScaler). Predicting the
 * log turns the multiplicative physics (∝ clock × GPUs / params) into sums an MLP fits with little data, and makes
 * its squared error a relative error, which is what MAPE measures.
 */
import * as tf from '@tensorflow/tfjs';
import { checkPositive } from './anomaly.js';
import { SeededInit } from './seeded-init.js';

export interface ThroughputModelOptions {
  readonly features: number;
  /** Hidden layer sizes. @defaultValue [64, 32] */
  readonly hidden?: readonly number[];
  /** @defaultValue 3e-3 */
  readonly learningRate?: number;
  /** @defaultValue 42 */
  readonly seed?: number;
}

export const THROUGHPUT_DEFAULTS = { hidden: [64, 32] as readonly number[], learningRate: 3e-3, seed: 42 };

export function buildThroughputModel(options: ThroughputModelOptions): tf.LayersModel {
  const o = { ...THROUGHPUT_DEFAULTS, ...options };
  checkPositive({ features: o.features, ...Object.fromEntries(o.hidden.map((h, i) => [`hidden[${i}]`, h])) });
  const init = new SeededInit(o.seed);
  const model = tf.sequential({ name: 'throughput_regressor' });
  o.hidden.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        activation: 'relu',
        kernelInitializer: init.glorot(),
        name: `hidden_${i}`,
        ...(i === 0 ? { inputShape: [o.features] } : {}),
      }),
    );
  });
  model.add(tf.layers.dense({ units: 1, kernelInitializer: init.glorot(), name: 'throughput' }));
  model.compile({ optimizer: tf.train.adam(o.learningRate), loss: 'meanSquaredError' });
  return model;
}
