/**
 * Time-to-failure regressor (run-to-failure data): a scaled [T, F] window → remaining samples until failure, as a
 * fraction of the cap: target = min(ttf, cap) / cap, the usual piecewise-linear RUL target (flat while the device
 * is healthy, linear towards 0 at failure). Multiply the output by metadata.ttfCapSteps to get samples.
 * Two architectures, both exported by training/onnx:
 *   lstm: LSTM(units) → Dense(hidden, relu) → Dense(1, linear)   (simulator and QuestDB sources)
 *   mlp:  Permute → Dense(8) over time → Flatten → Dense(units, relu) → Dropout → Dense(units / 2, relu) → Dense(1)
 *         (run-to-failure CSV). The first Dense acts on each sensor's T values: 8 temporal filters (smoothing,
 *         trend) learned once and shared by every sensor, like a 1-D convolution spanning the window (the exporter
 *         has no Conv1D; Permute and Dense it has). 8·T weights instead of T·F·units keep the noisy sensors from
 *         being memorised: on an inner split of C-MAPSS FD001's training engines the validation RMSE was 13.8
 *         against 14.6–16.2 for a plain MLP on the flattened window, and an epoch costs ~1/25 of an LSTM's on 2
 *         cores, so training runs to convergence.
 */
import * as tf from '@tensorflow/tfjs';
import { checkPositive } from './anomaly.js';
import { buildLstmHead, LSTM_HEAD_DEFAULTS, type LstmHeadOptions } from './lstm-head.js';
import { SeededInit } from './seeded-init.js';

export type TtfArchitecture = 'lstm' | 'mlp';
export const TTF_ARCHITECTURES: readonly TtfArchitecture[] = ['lstm', 'mlp'];

export interface TtfModelOptions extends LstmHeadOptions {
  /** @defaultValue 'lstm' */
  readonly architecture?: TtfArchitecture;
  /** mlp: dropout after the first hidden layer. @defaultValue 0.2 */
  readonly dropout?: number;
}

export const TTF_DEFAULTS = LSTM_HEAD_DEFAULTS;
/** The window MLP's defaults (units = first hidden layer). */
export const TTF_MLP_DEFAULTS = { units: 64, dropout: 0.2, learningRate: 2e-3, seed: 42 } as const;

/** Learned temporal filters shared by every sensor (the mlp architecture's first layer). */
export const TEMPORAL_FILTERS = 8;

export function buildTtfModel(options: TtfModelOptions): tf.LayersModel {
  if ((options.architecture ?? 'lstm') === 'mlp') return buildWindowMlp(options);
  return buildLstmHead(options, {
    modelName: 'ttf_regressor',
    outputName: 'ttf_fraction',
    activation: 'linear',
    loss: 'meanSquaredError',
  });
}

function buildWindowMlp(options: TtfModelOptions): tf.LayersModel {
  const o = { ...TTF_MLP_DEFAULTS, ...options };
  checkPositive({ windowLength: o.windowLength, features: o.features, units: o.units });
  if (!(o.dropout >= 0 && o.dropout < 1)) throw new RangeError(`dropout must be in [0, 1), got ${o.dropout}`);
  const init = new SeededInit(o.seed);
  const half = Math.max(1, Math.round(o.units / 2));
  const model = tf.sequential({ name: 'ttf_regressor' });
  model.add(tf.layers.permute({ dims: [2, 1], inputShape: [o.windowLength, o.features], name: 'per_sensor' }));
  model.add(tf.layers.dense({ units: TEMPORAL_FILTERS, kernelInitializer: init.glorot(), name: 'temporal_filters' }));
  model.add(tf.layers.flatten({ name: 'window' }));
  model.add(
    tf.layers.dense({ units: o.units, activation: 'relu', kernelInitializer: init.glorot(), name: 'hidden_1' }),
  );
  model.add(tf.layers.dropout({ rate: o.dropout, seed: init.seed(), name: 'dropout' }));
  model.add(tf.layers.dense({ units: half, activation: 'relu', kernelInitializer: init.glorot(), name: 'hidden_2' }));
  model.add(
    tf.layers.dense({ units: 1, activation: 'linear', kernelInitializer: init.glorot(), name: 'ttf_fraction' }),
  );
  model.compile({ optimizer: tf.train.adam(o.learningRate), loss: 'meanSquaredError' });
  return model;
}

/** Piecewise-linear capped target in [0, 1]: min(ttf, cap) / cap. */
export function cappedTtf(ttfSteps: number, capSteps: number): number {
  if (!(capSteps > 0)) throw new RangeError(`ttf cap must be > 0, got ${capSteps}`);
  return Math.min(Math.max(ttfSteps, 0), capSteps) / capSteps;
}
