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
 *         `members` such networks (each its own seeded weights and dropout) share the Permute and are averaged by
 *         an Average layer named ttf_fraction, so the ensemble is one graph wherever the model is applied (tfjs,
 *         the ONNX export, score and evaluate alike). They are fitted through a second view of the same layers
 *         whose output is every member's prediction side by side, each against the same target: the MSE over
 *         that output is the mean of the members' own losses, so each member learns on its own (the point of an
 *         ensemble: independent errors average out) instead of co-adapting to a shared mean.
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
  /** mlp: networks averaged into one output. @defaultValue TTF_MLP_DEFAULTS.members */
  readonly members?: number;
}

/** A built regressor: `model` is saved, exported and served; `fit` is what the trainer fits (see above). */
export interface TtfModels {
  readonly model: tf.LayersModel;
  /** Output [batch, members]: fit it against the target repeated once per member (`memberTargets`). */
  readonly fit: tf.LayersModel;
  readonly members: number;
}

export const TTF_DEFAULTS = LSTM_HEAD_DEFAULTS;
/** The window MLP's defaults (units = first hidden layer). */
export const TTF_MLP_DEFAULTS = { units: 64, dropout: 0.2, learningRate: 2e-3, seed: 42, members: 3 } as const;

/** Learned temporal filters shared by every sensor (the mlp architecture's first layer). */
export const TEMPORAL_FILTERS = 8;

export function buildTtfModel(options: TtfModelOptions): TtfModels {
  if ((options.architecture ?? 'lstm') === 'mlp') return buildWindowMlp(options);
  const model = buildLstmHead(options, {
    modelName: 'ttf_regressor',
    outputName: 'ttf_fraction',
    activation: 'linear',
    loss: 'meanSquaredError',
  });
  return { model, fit: model, members: 1 };
}

function buildWindowMlp(options: TtfModelOptions): TtfModels {
  const o = { ...TTF_MLP_DEFAULTS, ...options };
  checkPositive({ windowLength: o.windowLength, features: o.features, units: o.units, members: o.members });
  if (!(o.dropout >= 0 && o.dropout < 1)) throw new RangeError(`dropout must be in [0, 1), got ${o.dropout}`);
  if (!Number.isInteger(o.members)) throw new RangeError(`members must be an integer, got ${o.members}`);
  const init = new SeededInit(o.seed);
  const half = Math.max(1, Math.round(o.units / 2));
  const input = tf.input({ shape: [o.windowLength, o.features], name: 'window_in' });
  const perSensor = tf.layers.permute({ dims: [2, 1], name: 'per_sensor' }).apply(input) as tf.SymbolicTensor;
  const one = o.members === 1;
  const outputs = Array.from({ length: o.members }, (_, k) => {
    const name = (base: string) => (one ? base : `${base}_${k + 1}`);
    const layers = [
      tf.layers.dense({ units: TEMPORAL_FILTERS, kernelInitializer: init.glorot(), name: name('temporal_filters') }),
      tf.layers.flatten({ name: name('window') }),
      tf.layers.dense({ units: o.units, activation: 'relu', kernelInitializer: init.glorot(), name: name('hidden_1') }),
      tf.layers.dropout({ rate: o.dropout, seed: init.seed(), name: name('dropout') }),
      tf.layers.dense({ units: half, activation: 'relu', kernelInitializer: init.glorot(), name: name('hidden_2') }),
      tf.layers.dense({ units: 1, activation: 'linear', kernelInitializer: init.glorot(), name: name('ttf_fraction') }),
    ];
    return layers.reduce((t, layer) => layer.apply(t) as tf.SymbolicTensor, perSensor);
  });
  const served = one ? outputs[0] : (tf.layers.average({ name: 'ttf_fraction' }).apply(outputs) as tf.SymbolicTensor);
  const model = tf.model({ inputs: input, outputs: served, name: 'ttf_regressor' });
  const fit = one
    ? model
    : tf.model({
        inputs: input,
        outputs: tf.layers.concatenate({ name: 'members' }).apply(outputs) as tf.SymbolicTensor,
        name: 'ttf_members',
      });
  fit.compile({ optimizer: tf.train.adam(o.learningRate), loss: 'meanSquaredError' });
  return { model, fit, members: o.members };
}

/** Targets [n, 1] → [n, members], the shape `TtfModels.fit` is fitted on. */
export function memberTargets(y: Float32Array, members: number): tf.Tensor2D {
  return tf.tidy(() => tf.tile(tf.tensor2d(y, [y.length, 1]), [1, members]));
}

/** Piecewise-linear capped target in [0, 1]: min(ttf, cap) / cap. */
export function cappedTtf(ttfSteps: number, capSteps: number): number {
  if (!(capSteps > 0)) throw new RangeError(`ttf cap must be > 0, got ${capSteps}`);
  return Math.min(Math.max(ttfSteps, 0), capSteps) / capSteps;
}
