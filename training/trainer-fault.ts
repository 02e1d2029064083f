/**
 * Fault predictor (P[failure within H samples]) and time-to-failure regressor training, on per-device windows.
 * Windows touching a down period are dropped (the device is failed or in repair). Negatives are thinned by the
 * training stride and every positive is kept; class weights balance what imbalance remains. Class weights also
 * shift the network's output away from a probability, so a calibration map (Platt or isotonic, training/
 * calibration.ts) is fitted on the validation split and stored in model.json; the alarm threshold is then the
 * validation-F1-optimal calibrated probability. Alarms are `probability > threshold`, as the outputs module
 * (src/inference/model-outputs.ts) decides them.
 */
import * as tf from '@tensorflow/tfjs';
import { calibratedProbability } from '../src/inference/calibration.js';
import { chooseCalibration } from './calibration.js';
import { ROW_DOWN, ROW_HEALTHY, type TrainingData } from './datasets/entities.js';
import { balancedClassWeights, faultWithinHorizon, stepsToFailure } from './datasets/labels.js';
import { buildWindowSplits, selectWindows, type WindowSet, type WindowSplits } from './datasets/windows.js';
import { pointMetrics } from './metrics/anomaly.js';
import { mae, rmse } from './metrics/regression.js';
import { buildFaultPredictor, FAULT_DEFAULTS } from './models/fault.js';
import { buildTtfModel, memberTargets, TTF_DEFAULTS, TTF_MLP_DEFAULTS } from './models/ttf.js';
import { trainModel } from './trainer.js';
import {
  chooseEntities,
  type FamilyOptions,
  type FamilyResult,
  predictFlat,
  round,
  windowFeatures,
  windowTensor,
} from './trainer-common.js';

function featuresOf(data: TrainingData, o: FamilyOptions): readonly string[] {
  return windowFeatures(data, o.features);
}

/**
 * Probability threshold with the best F1 on validation windows (0.5 when validation has no positives).
 * `weight[i]` is how many windows window i stands for: thinned healthy negatives count `stride` times, so the
 * precision is the one a full, unthinned stream of windows would see.
 */
export function bestF1Threshold(
  prob: ArrayLike<number>,
  y: ArrayLike<number>,
  weight?: ArrayLike<number>,
): { value: number; f1: number } {
  let best = { value: 0.5, f1: Number.NaN };
  // Every 0.01, every 0.001 above 0.99 (a confident raw score's useful cuts crowd near 1), and a few below 0.05
  // (a calibrated probability of a rare failure may be useful well below 5 %).
  const candidates = [
    0.001,
    0.002,
    0.005,
    0.01,
    0.02,
    0.03,
    0.04,
    ...Array.from({ length: 95 }, (_, k) => (k + 5) / 100),
    ...Array.from({ length: 9 }, (_, k) => (991 + k) / 1000),
  ];
  for (const t of candidates) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < prob.length; i++) {
      const w = weight ? weight[i] : 1;
      const alarm = prob[i] > t;
      if (alarm && y[i] > 0.5) tp += w;
      else if (alarm) fp += w;
      else if (y[i] > 0.5) fn += w;
    }
    const f1 = tp > 0 ? (2 * tp) / (2 * tp + fp + fn) : 0;
    if (tp > 0 && !(f1 <= best.f1)) best = { value: t, f1 };
  }
  return best;
}

async function predictSet(model: tf.LayersModel, set: WindowSet): Promise<Float32Array> {
  if (set.count === 0) return new Float32Array(0);
  const x = windowTensor(set);
  const out = await predictFlat(model, x);
  x.dispose();
  return out;
}

interface Prepared {
  readonly features: readonly string[];
  readonly splits: WindowSplits;
  readonly failures: ReadonlyMap<string, readonly number[]>;
  readonly entities: number;
}

/** Keep every n-th negative window: `stride` for healthy ones, a quarter of it for symptomatic ones. */
export function negativeStride(stride: number, status: number): number {
  return status === ROW_HEALTHY ? stride : Math.max(1, Math.floor(stride / 4));
}

function prepare(
  data: TrainingData,
  o: FamilyOptions,
  isPositive: (entity: string, endTs: number) => boolean,
): Prepared {
  const features = featuresOf(data, o);
  const subset = chooseEntities(data, o.maxEntities, o.seed);
  const failures = new Map(subset.entities.map((e) => [e.entity, e.failures]));
  const splits = buildWindowSplits(subset, {
    features,
    windowLength: o.windowLength,
    trainStride: 1,
    fractions: o.fractions,
    scalerRows: 'usable',
    // Healthy negatives are thinned by the stride; symptomatic negatives (a fault still far from failure, a facility
    // incident, a straggler) only by a quarter of it: they are the hard cases that teach where the horizon starts.
    keep: (status, entity, endTs, i) =>
      status !== ROW_DOWN && (i % negativeStride(o.trainStride, status) === 0 || isPositive(entity, endTs)),
  });
  return { features, splits, failures, entities: subset.entities.length };
}

export async function trainFaultPredictor(data: TrainingData, o: FamilyOptions): Promise<FamilyResult> {
  const horizonMs = o.horizonSteps * data.samplePeriodMs;
  const failures = new Map(data.entities.map((e) => [e.entity, e.failures]));
  const positive = (entity: string, endTs: number) =>
    faultWithinHorizon(endTs, failures.get(entity) ?? [], horizonMs) === 1;
  const p = prepare(data, o, positive);
  const labels = (set: WindowSet) =>
    Float32Array.from(set.endTs, (t, i) => (positive(set.entities[set.entityIndex[i]], t) ? 1 : 0));
  const yTrain = labels(p.splits.train);
  const yVal = labels(p.splits.validation);
  const positives = yTrain.reduce((a, b) => a + b, 0);
  if (positives === 0)
    throw new RangeError('no positive (pre-failure) training windows: no failures in the training data');

  const units = o.units ?? FAULT_DEFAULTS.units;
  const learningRate = o.learningRate ?? FAULT_DEFAULTS.learningRate;
  const model = buildFaultPredictor({
    windowLength: o.windowLength,
    features: p.features.length,
    units,
    learningRate,
    seed: o.seed,
  });
  // A capped positive weight: balanced weights (x20 and more) saturate the sigmoid, leaving no room for a threshold.
  const classWeight = balancedClassWeights(yTrain, 5);
  const xTrain = windowTensor(p.splits.train);
  const train = { x: xTrain, y: tf.tensor2d(yTrain, [yTrain.length, 1]) };
  const val =
    p.splits.validation.count > 0
      ? { x: windowTensor(p.splits.validation), y: tf.tensor2d(yVal, [yVal.length, 1]) }
      : undefined;
  const result = await trainModel(model, train, val, { label: 'fault', ...o.trainer, seed: o.seed, classWeight });
  for (const t of [train.x, train.y, val?.x, val?.y]) t?.dispose();

  const raw = await predictSet(model, p.splits.validation);
  const vs = p.splits.validation;
  const weight = Float64Array.from(vs.status, (st, i) => (yVal[i] === 0 ? negativeStride(o.trainStride, st) : 1));
  const calibration = chooseCalibration({ scores: raw, labels: yVal, weights: weight }, vs.entityIndex);
  const prob = Float64Array.from(raw, (s) => calibratedProbability(s, calibration));
  const chosen = bestF1Threshold(prob, yVal, weight);
  const pm = pointMetrics(
    Array.from(prob, (v) => (v > chosen.value ? 1 : 0)),
    yVal,
  );
  return {
    model,
    meta: {
      family: 'fault',
      features: p.features,
      scaler: p.splits.scaler,
      windowLength: o.windowLength,
      stride: 1,
      outputs: ['fault_probability'],
      horizonSteps: o.horizonSteps,
      threshold: {
        value: chosen.value,
        method: 'fixed',
        params: {
          validationF1: round(chosen.f1, 4),
          negativeWeight: o.trainStride,
          calibrated: calibration ? 1 : 0,
        },
      },
      ...(calibration ? { calibration } : {}),
    },
    metrics: {
      trainWindows: p.splits.train.count,
      trainPositives: positives,
      valWindows: p.splits.validation.count,
      valPositives: yVal.reduce((a, b) => a + b, 0),
      valLoss: round(result.bestLoss),
      valPrecision: round(pm.precision, 4),
      valRecall: round(pm.recall, 4),
      valF1: round(pm.f1, 4),
      ...(calibration
        ? {
            valBrier: calibration.metrics.brier,
            valEce: calibration.metrics.ece,
            valBrierRaw: calibration.metrics.brierRaw,
          }
        : {}),
    },
    hyperparameters: {
      units,
      learningRate,
      trainStride: o.trainStride,
      entities: p.entities,
      positiveClassWeight: round(classWeight[1], 4),
    },
    result,
  };
}

export async function trainTtfModel(data: TrainingData, o: FamilyOptions): Promise<FamilyResult> {
  const cap = o.ttfCapSteps;
  const period = data.samplePeriodMs;
  const ends = new Map(data.entities.map((e) => [e.entity, e.series.ts[e.series.ts.length - 1]]));
  const failures = new Map(data.entities.map((e) => [e.entity, e.failures]));
  // Near failure (inside the cap) every window is kept: that is where the target moves.
  const near = (entity: string, endTs: number) => {
    const s = stepsToFailure(endTs, failures.get(entity) ?? [], period, cap, ends.get(entity) ?? endTs);
    return s !== undefined && s < cap;
  };
  const p = prepare(data, o, near);
  const targets = (set: WindowSet) =>
    Array.from(set.endTs, (t, i) => {
      if (set.ttf) return Math.min(set.ttf[i], cap) / cap;
      const entity = set.entities[set.entityIndex[i]];
      const s = stepsToFailure(t, failures.get(entity) ?? [], period, cap, ends.get(entity) ?? t);
      return s === undefined ? Number.NaN : s / cap;
    });
  const usable = (set: WindowSet) => {
    const y = targets(set);
    const idx = y.flatMap((v, i) => (Number.isFinite(v) ? [i] : []));
    return { set: selectWindows(set, idx), y: Float32Array.from(idx, (i) => y[i]) };
  };
  const tr = usable(p.splits.train);
  const va = usable(p.splits.validation);
  if (tr.set.count === 0) throw new RangeError('no windows with a known time to failure');

  const architecture = o.ttfArchitecture ?? 'lstm';
  const defaults = architecture === 'mlp' ? TTF_MLP_DEFAULTS : TTF_DEFAULTS;
  const units = o.units ?? defaults.units;
  const learningRate = o.learningRate ?? defaults.learningRate;
  const { model, fit, members } = buildTtfModel({
    architecture,
    windowLength: o.windowLength,
    features: p.features.length,
    units,
    learningRate,
    members: o.ttfMembers ?? TTF_MLP_DEFAULTS.members,
    seed: o.seed,
  });
  const train = { x: windowTensor(tr.set), y: memberTargets(tr.y, members) };
  const val = va.set.count > 0 ? { x: windowTensor(va.set), y: memberTargets(va.y, members) } : undefined;
  const result = await trainModel(fit, train, val, { label: 'ttf', ...o.trainer, seed: o.seed });
  for (const t of [train.x, train.y, val?.x, val?.y]) t?.dispose();

  const pred = Array.from(await predictSet(model, va.set), (v) => Math.min(Math.max(v, 0), 1) * cap);
  const truth = Array.from(va.y, (v) => v * cap);
  return {
    model,
    meta: {
      family: 'ttf',
      features: p.features,
      scaler: p.splits.scaler,
      windowLength: o.windowLength,
      stride: 1,
      outputs: ['ttf_fraction'],
      ttfCapSteps: cap,
    },
    metrics: {
      trainWindows: tr.set.count,
      valWindows: va.set.count,
      valLoss: round(result.bestLoss),
      valRmseSteps: round(rmse(pred, truth), 4),
      valMaeSteps: round(mae(pred, truth), 4),
    },
    hyperparameters: { architecture, units, learningRate, members, trainStride: o.trainStride, entities: p.entities },
    result,
  };
}
