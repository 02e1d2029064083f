/**
 * Time-to-failure regressor (run-to-failure data): a scaled [T, F] window → remaining samples until failure, as a
 * fraction of the cap: target = min(ttf, cap) / cap, the usual piecewise-linear RUL target (flat while the device
 * is healthy, linear towards 0 at failure). Multiply the output by metadata.ttfCapSteps to get samples.
 * Two architectures, both exported by training/onnx:
 *   lstm: LSTM(units) → Dense(hidden, relu) → Dense(1, linear)   (simulator and QuestDB sources)
 *   mlp:  Flatten → Dense(units, relu) → Dropout → Dense(units / 2, relu) → Dense(1, linear)   (run-to-failure CSV)
 * The MLP over the flattened window is the CSV default: on C-MAPSS FD001 (README, "Public benchmarks") it beat the
 * LSTM at about 1/25 of the training time per epoch on the wasm backend, which is what lets training run to
 * convergence on 2 cores (an LSTM epoch over 16,000 windows took ~50 s there, an MLP epoch ~2 s).
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
  model.add(tf.layers.flatten({ inputShape: [o.windowLength, o.features], name: 'window' }));
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
