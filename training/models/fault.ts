/**
 * Fault predictor: LSTM over a device's scaled [T, F] window → probability that the device fails within the
 * next H samples (the horizon lives in the labels and in metadata.horizonSteps, not in the network).
 *   LSTM(units) → Dense(hidden, relu) → Dense(1, sigmoid)
 * Class imbalance is handled by the trainer (class weights); the loss is plain binary cross-entropy.
 */
import * as tf from '@tensorflow/tfjs';
import { checkPositive } from './anomaly.js';
import { SeededInit } from './seeded-init.js';

export interface FaultPredictorOptions {
  readonly windowLength: number;
  readonly features: number;
  /** @defaultValue 32 */
  readonly units?: number;
  /** @defaultValue 16 */
  readonly hidden?: number;
  /** @defaultValue 2e-3 */
  readonly learningRate?: number;
  /** @defaultValue 42 */
  readonly seed?: number;
}

export const FAULT_DEFAULTS = { units: 32, hidden: 16, learningRate: 2e-3, seed: 42 } as const;

export function buildFaultPredictor(options: FaultPredictorOptions): tf.LayersModel {
  const o = { ...FAULT_DEFAULTS, ...options };
  checkPositive({ windowLength: o.windowLength, features: o.features, units: o.units, hidden: o.hidden });
  const init = new SeededInit(o.seed);
  const model = tf.sequential({ name: 'fault_predictor' });
  model.add(
    tf.layers.lstm({ units: o.units, inputShape: [o.windowLength, o.features], name: 'encoder', ...init.lstm() }),
  );
  model.add(tf.layers.dense({ units: o.hidden, activation: 'relu', kernelInitializer: init.glorot(), name: 'hidden' }));
  model.add(
    tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: init.glorot(), name: 'fault_probability' }),
  );
  model.compile({ optimizer: tf.train.adam(o.learningRate), loss: 'binaryCrossentropy' });
  return model;
}
