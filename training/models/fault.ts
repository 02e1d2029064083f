/**
 * Fault predictor: LSTM over a device's scaled [T, F] window → probability that the device fails within the
 * next H samples (the horizon lives in the labels and in metadata.horizonSteps, not in the network).
 *   LSTM(units) → Dense(hidden, relu) → Dense(1, sigmoid)
 * Class imbalance is handled by the trainer (class weights); the loss is plain binary cross-entropy.
 */
import type * as tf from '@tensorflow/tfjs';
import { buildLstmHead, LSTM_HEAD_DEFAULTS, type LstmHeadOptions } from './lstm-head.js';

export type FaultPredictorOptions = LstmHeadOptions;
export const FAULT_DEFAULTS = LSTM_HEAD_DEFAULTS;

export function buildFaultPredictor(options: FaultPredictorOptions): tf.LayersModel {
  return buildLstmHead(options, {
    modelName: 'fault_predictor',
    outputName: 'fault_probability',
    activation: 'sigmoid',
    loss: 'binaryCrossentropy',
  });
}
