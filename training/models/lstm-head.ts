/**
 * The shared shape of the per-device window models: LSTM(units) over a scaled [T, F] window → Dense(hidden, relu)
 * → one output. The fault predictor (sigmoid, binary cross-entropy) and the time-to-failure regressor (linear,
 * mean squared error) differ only in that head; both builders call this one.
 */
import * as tf from '@tensorflow/tfjs';
import { checkPositive } from './anomaly.js';
import { quietOrthogonal, SeededInit } from './seeded-init.js';

export interface LstmHeadOptions {
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

export const LSTM_HEAD_DEFAULTS = { units: 32, hidden: 16, learningRate: 2e-3, seed: 42 } as const;

/** What distinguishes one model family: its name, its output layer (named after the output) and its loss. */
export interface HeadSpec {
  readonly modelName: string;
  readonly outputName: string;
  readonly activation: 'sigmoid' | 'linear';
  readonly loss: 'binaryCrossentropy' | 'meanSquaredError';
}

export function buildLstmHead(options: LstmHeadOptions, head: HeadSpec): tf.LayersModel {
  return quietOrthogonal(() => build(options, head));
}

function build(options: LstmHeadOptions, head: HeadSpec): tf.LayersModel {
  const o = { ...LSTM_HEAD_DEFAULTS, ...options };
  checkPositive({ windowLength: o.windowLength, features: o.features, units: o.units, hidden: o.hidden });
  const init = new SeededInit(o.seed);
  const model = tf.sequential({ name: head.modelName });
  model.add(
    tf.layers.lstm({ units: o.units, inputShape: [o.windowLength, o.features], name: 'encoder', ...init.lstm() }),
  );
  model.add(tf.layers.dense({ units: o.hidden, activation: 'relu', kernelInitializer: init.glorot(), name: 'hidden' }));
  model.add(
    tf.layers.dense({ units: 1, activation: head.activation, kernelInitializer: init.glorot(), name: head.outputName }),
  );
  model.compile({ optimizer: tf.train.adam(o.learningRate), loss: head.loss });
  return model;
}
