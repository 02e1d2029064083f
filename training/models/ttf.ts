/**
 * Time-to-failure regressor (run-to-failure data): LSTM over [T, F] → remaining samples until failure, as a
 * fraction of the cap: target = min(ttf, cap) / cap, the usual piecewise-linear RUL target (flat while the device
 * is healthy, linear towards 0 at failure). Multiply the output by metadata.ttfCapSteps to get samples.
 *   LSTM(units) → Dense(hidden, relu) → Dense(1, linear)
 */
import * as tf from '@tensorflow/tfjs';
import { checkPositive } from './anomaly.js';
import { SeededInit } from './seeded-init.js';

export interface TtfModelOptions {
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

export const TTF_DEFAULTS = { units: 32, hidden: 16, learningRate: 2e-3, seed: 42 } as const;

export function buildTtfModel(options: TtfModelOptions): tf.LayersModel {
  const o = { ...TTF_DEFAULTS, ...options };
  checkPositive({ windowLength: o.windowLength, features: o.features, units: o.units, hidden: o.hidden });
  const init = new SeededInit(o.seed);
  const model = tf.sequential({ name: 'ttf_regressor' });
  model.add(
    tf.layers.lstm({ units: o.units, inputShape: [o.windowLength, o.features], name: 'encoder', ...init.lstm() }),
  );
  model.add(tf.layers.dense({ units: o.hidden, activation: 'relu', kernelInitializer: init.glorot(), name: 'hidden' }));
  model.add(tf.layers.dense({ units: 1, kernelInitializer: init.glorot(), name: 'ttf_fraction' }));
  model.compile({ optimizer: tf.train.adam(o.learningRate), loss: 'meanSquaredError' });
  return model;
}

/** Piecewise-linear capped target in [0, 1]: min(ttf, cap) / cap. */
export function cappedTtf(ttfSteps: number, capSteps: number): number {
  if (!(capSteps > 0)) throw new RangeError(`ttf cap must be > 0, got ${capSteps}`);
  return Math.min(Math.max(ttfSteps, 0), capSteps) / capSteps;
}
