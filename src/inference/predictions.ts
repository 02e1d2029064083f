/**
 * Turning fault, time-to-failure and throughput model outputs into the units operators use. Pure functions over
 * model.json, so the API and the batch forecasts say the same thing.
 */
import { AppError } from '../errors.js';
import type { ModelMetadata } from '../features/model-metadata.js';

const MS_PER_MINUTE = 60_000;

/** The fault predictor's horizon in minutes: "probability of a fault within the next N minutes". */
export function horizonMinutes(meta: Pick<ModelMetadata, 'horizonSteps' | 'samplePeriodMs' | 'name'>): number {
  if (!meta.horizonSteps)
    throw new AppError('INFERENCE_FAILED', `fault model ${meta.name} has no horizonSteps in model.json`);
  return (meta.horizonSteps * meta.samplePeriodMs) / MS_PER_MINUTE;
}

export interface TimeToFailure {
  /** Predicted minutes until failure, clamped to [0, capMinutes]. */
  readonly minutes: number;
  /** At the cap: no failure expected within `capMinutes` (the model cannot see further). */
  readonly beyondCap: boolean;
  readonly capMinutes: number;
}

/** The TTF model predicts min(ttf, cap) / cap; 0.98 of the cap or more reads as "beyond the cap". */
export function timeToFailure(
  fraction: number,
  meta: Pick<ModelMetadata, 'ttfCapSteps' | 'samplePeriodMs' | 'name'>,
): TimeToFailure {
  if (!meta.ttfCapSteps)
    throw new AppError('INFERENCE_FAILED', `ttf model ${meta.name} has no ttfCapSteps in model.json`);
  const capMinutes = (meta.ttfCapSteps * meta.samplePeriodMs) / MS_PER_MINUTE;
  const f = Math.min(1, Math.max(0, fraction));
  return { minutes: f * capMinutes, beyondCap: f >= 0.98, capMinutes };
}

/** The model's first declared output (model.json `onnx.outputs`), or its only one. */
export function primaryOutput<T>(
  meta: Pick<ModelMetadata, 'onnx' | 'name' | 'version'>,
  outputs: Readonly<Record<string, T>>,
): T {
  const name = meta.onnx?.outputs[0];
  const found = (name && outputs[name]) || Object.values(outputs)[0];
  if (!found) throw new AppError('INFERENCE_FAILED', `model ${meta.name}@${meta.version} returned no output`);
  return found;
}
