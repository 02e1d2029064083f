/**
 * Anomaly detector: an LSTM autoencoder over scaled [T, F] windows of healthy telemetry.
 *   LSTM(latentUnits) → RepeatVector(T) → LSTM(units, return sequences) → TimeDistributed(Dense(F))
 * It learns to reconstruct normal behaviour; the score is the reconstruction error (src/features/reconstruction.ts),
 * so windows unlike anything healthy score high. The latent code is narrower than the feature count: a wide one
 * could copy any window, relationships included (temperature too high for the power drawn), and see nothing odd.
 * Works for a single feature (F = 1).
 */
import * as tf from '@tensorflow/tfjs';
import { quietOrthogonal, SeededInit } from './seeded-init.js';

export interface AnomalyDetectorOptions {
  /** Window length T in samples. */
  readonly windowLength: number;
  /** Number of features F. */
  readonly features: number;
  /** LSTM units of the decoder. @defaultValue 32 */
  readonly units?: number;
  /** LSTM units of the encoder: the latent code. @defaultValue 8 */
  readonly latentUnits?: number;
  /** @defaultValue 3e-3 */
  readonly learningRate?: number;
  /** @defaultValue 42 */
  readonly seed?: number;
}

export const ANOMALY_DEFAULTS = { units: 32, latentUnits: 8, learningRate: 3e-3, seed: 42 } as const;

export function buildAnomalyDetector(options: AnomalyDetectorOptions): tf.LayersModel {
  return quietOrthogonal(() => build(options));
}

function build(options: AnomalyDetectorOptions): tf.LayersModel {
  const o = { ...ANOMALY_DEFAULTS, ...options };
  checkPositive({ windowLength: o.windowLength, features: o.features, units: o.units, latentUnits: o.latentUnits });
  const init = new SeededInit(o.seed);
  const model = tf.sequential({ name: 'anomaly_autoencoder' });
  model.add(
    tf.layers.lstm({ units: o.latentUnits, inputShape: [o.windowLength, o.features], name: 'encoder', ...init.lstm() }),
  );
  model.add(tf.layers.repeatVector({ n: o.windowLength, name: 'repeat' }));
  model.add(tf.layers.lstm({ units: o.units, returnSequences: true, name: 'decoder', ...init.lstm() }));
  model.add(
    tf.layers.timeDistributed({
      layer: tf.layers.dense({ units: o.features, kernelInitializer: init.glorot() }),
      name: 'reconstruction',
    }),
  );
  model.compile({ optimizer: tf.train.adam(o.learningRate), loss: 'meanSquaredError' });
  return model;
}

/** Builders validate their sizes once, up front, with the option's name in the message. */
export function checkPositive(sizes: Record<string, number>): void {
  for (const [name, v] of Object.entries(sizes)) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be an integer >= 1, got ${v}`);
  }
}
