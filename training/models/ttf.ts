/**
 * Time-to-failure regressor (run-to-failure data): LSTM over [T, F] → remaining samples until failure, as a
 * fraction of the cap: target = min(ttf, cap) / cap, the usual piecewise-linear RUL target (flat while the device
 * is healthy, linear towards 0 at failure). Multiply the output by metadata.ttfCapSteps to get samples.
 *   LSTM(units) → Dense(hidden, relu) → Dense(1, linear)
 */
import type * as tf from '@tensorflow/tfjs';
import { buildLstmHead, LSTM_HEAD_DEFAULTS, type LstmHeadOptions } from './lstm-head.js';

export type TtfModelOptions = LstmHeadOptions;
export const TTF_DEFAULTS = LSTM_HEAD_DEFAULTS;

export function buildTtfModel(options: TtfModelOptions): tf.LayersModel {
  return buildLstmHead(options, {
    modelName: 'ttf_regressor',
    outputName: 'ttf_fraction',
    activation: 'linear',
    loss: 'meanSquaredError',
  });
}

/** Piecewise-linear capped target in [0, 1]: min(ttf, cap) / cap. */
export function cappedTtf(ttfSteps: number, capSteps: number): number {
  if (!(capSteps > 0)) throw new RangeError(`ttf cap must be > 0, got ${capSteps}`);
  return Math.min(Math.max(ttfSteps, 0), capSteps) / capSteps;
}
