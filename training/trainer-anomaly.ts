/**
 * Anomaly detector training: the LSTM autoencoder learns healthy windows only (windows touching a labelled
 * fault or a down period are left out when labels exist); its threshold is chosen on the reconstruction scores
 * of healthy validation windows (eval's chooseThreshold: POT when the tail allows, else a percentile).
 */
import type * as tf from '@tensorflow/tfjs';
import { featureErrorWeights, reconstructionScores } from '../src/features/reconstruction.js';
import { slidingDetector } from '../src/inference/detection/detector.js';
import type { SlidingDetection } from '../src/inference/detection/find-anomalies.js';
import { pointScores } from '../src/inference/model-outputs.js';
import { sourceEntity } from './data/types.js';
import { ROW_HEALTHY, type TrainingData } from './datasets/entities.js';
import { buildWindowSplits, selectWindows, type WindowSet } from './datasets/windows.js';
import { CSV_DETECTION } from './detection/csv-detection.js';
import { pointMetrics } from './metrics/anomaly.js';
import { ANOMALY_DEFAULTS, buildAnomalyDetector } from './models/anomaly.js';
import { chooseThreshold } from './thresholds.js';
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

/** The window score is the mean of its 3 worst features' weighted errors (src/features/reconstruction.ts says why). */
const SCORE_TOP_FEATURES = 3;

const healthyOnly = (set: WindowSet): WindowSet =>
  selectWindows(
    set,
    Array.from(set.status.keys()).filter((i) => set.status[i] === ROW_HEALTHY),
  );

async function reconstruct(model: tf.LayersModel, set: WindowSet): Promise<Float32Array> {
  if (set.count === 0) return new Float32Array(0);
  const x = windowTensor(set);
  const out = await predictFlat(model, x);
  x.dispose();
  return out;
}

export async function scoreWindows(
  model: tf.LayersModel,
  set: WindowSet,
  weights?: readonly number[],
): Promise<Float64Array> {
  const out = await reconstruct(model, set);
  return reconstructionScores(set.x, out, set.count, set.length, set.width, set.length, weights, SCORE_TOP_FEATURES)
    .scores;
}

export async function trainAnomalyDetector(data: TrainingData, o: FamilyOptions): Promise<FamilyResult> {
  const features = windowFeatures(data, o.features);
  const subset = chooseEntities(data, o.maxEntities, o.seed);
  const splits = buildWindowSplits(subset, {
    features,
    windowLength: o.windowLength,
    trainStride: o.trainStride,
    fractions: o.fractions,
    scalerRows: 'healthy',
  });
  const train = healthyOnly(splits.train);
  const valAll = splits.validation;
  const val = healthyOnly(valAll);
  if (train.count === 0) throw new RangeError('no healthy training windows');

  const units = o.units ?? ANOMALY_DEFAULTS.units;
  const latentUnits = o.latentUnits ?? Math.min(ANOMALY_DEFAULTS.latentUnits, units);
  const learningRate = o.learningRate ?? ANOMALY_DEFAULTS.learningRate;
  const model = buildAnomalyDetector({
    windowLength: o.windowLength,
    features: features.length,
    units,
    latentUnits,
    learningRate,
    seed: o.seed,
  });
  const xTrain = windowTensor(train);
  const xVal = val.count > 0 ? windowTensor(val) : undefined;
  const result = await trainModel(model, { x: xTrain, y: xTrain }, xVal ? { x: xVal, y: xVal } : undefined, {
    label: 'anomaly',
    ...o.trainer,
    seed: o.seed,
  });
  xTrain.dispose();
  xVal?.dispose();

  // Error weights and threshold from healthy validation windows (training windows when there is no validation part).
  const calibration = val.count > 0 ? val : train;
  const out = await reconstruct(model, calibration);
  const scoreWeights = featureErrorWeights(
    calibration.x,
    out,
    calibration.count,
    calibration.length,
    calibration.width,
  );
  const valScores = reconstructionScores(
    calibration.x,
    out,
    calibration.count,
    calibration.length,
    calibration.width,
    calibration.length,
    scoreWeights,
    SCORE_TOP_FEATURES,
  ).scores;
  // risk 1e-4: a device scores 8,640 windows a day, so 1e-3 would budget ~9 false window alarms per device-day.
  const threshold = chooseThreshold(valScores, { method: 'auto', risk: 1e-4 });
  const metrics: Record<string, number> = {
    trainWindows: train.count,
    valWindows: val.count,
    trainLoss: round(result.history.loss[result.bestEpoch - 1]),
    valLoss: round(result.bestLoss),
  };
  // CSV sources (any schema, no simulator to tune on): the sliding-window detector (padding and merge gap at least
  // one model window); others keep the fixed threshold their README figures were measured with.
  const detection = detectionFor(data, o);
  if (detection) {
    const sourceOf = new Map(data.entities.map((e) => [e.entity, sourceEntity(e)]));
    metrics.trainAlarmShare = round(await alarmShare(model, train, scoreWeights, detection, sourceOf), 4);
  }
  // When validation holds labelled fault windows, report how the threshold separates them (window-level).
  if (valAll.count > val.count) {
    const labelled = selectWindows(
      valAll,
      Array.from(valAll.status.keys()).filter((i) => valAll.status[i] <= 1),
    );
    const scores = await scoreWindows(model, labelled, scoreWeights);
    const pm = pointMetrics(
      Array.from(scores, (s) => (s >= threshold.value ? 1 : 0)),
      Array.from(labelled.status),
    );
    metrics.valWindowPrecision = round(pm.precision, 4);
    metrics.valWindowRecall = round(pm.recall, 4);
    metrics.valWindowF1 = round(pm.f1, 4);
  }
  return {
    model,
    meta: {
      family: 'anomaly',
      features,
      scaler: splits.scaler,
      windowLength: o.windowLength,
      stride: 1,
      outputs: ['reconstruction'],
      threshold,
      scoreLastSteps: o.windowLength,
      scoreWeights: scoreWeights.map((w) => round(w)),
      scoreTopFeatures: SCORE_TOP_FEATURES,
      ...(detection ? { detection } : {}),
    },
    metrics,
    hyperparameters: { units, latentUnits, learningRate, trainStride: o.trainStride, entities: subset.entities.length },
    result,
  };
}

/** Live verdicts run the detector over at most this many rows of history (a bounded read per device and forecast). */
const MAX_HISTORY_ROWS = 10_000;

function detectionFor(data: TrainingData, o: FamilyOptions): SlidingDetection | undefined {
  const csv = data.source.kind.startsWith('csv:');
  if ((o.detection ?? (csv ? 'sliding' : 'threshold')) === 'threshold') return undefined;
  const rows = Math.max(CSV_DETECTION.padding, o.windowLength);
  // The fractions (smoothing span, threshold window) were sized on series this long: a live verdict reads as many
  // scores. An entity cut into segments at gaps is one series to the detector (training/evaluate/family-metrics.ts joinSegments).
  const windows = new Map<string, number>();
  for (const e of data.entities) {
    const key = sourceEntity(e);
    windows.set(key, (windows.get(key) ?? 0) + Math.max(e.series.ts.length - o.windowLength + 1, 0));
  }
  const longest = Math.max(1, ...windows.values());
  return {
    ...CSV_DETECTION,
    padding: rows,
    mergeGap: Math.max(CSV_DETECTION.mergeGap, o.windowLength),
    historyRows: Math.min(MAX_HISTORY_ROWS, longest),
  };
}

/**
 * Share of training windows inside a detected interval, one detector run per source entity over its segments'
 * training windows joined, as `npm run score` runs it (the sliding detector needs each entity's whole series; the
 * short validation slice would say little). Training windows are mostly healthy, so a large share means the
 * detector will flag ordinary behaviour.
 */
async function alarmShare(
  model: tf.LayersModel,
  set: WindowSet,
  weights: readonly number[],
  detection: SlidingDetection,
  sourceOf: ReadonlyMap<string, string>,
): Promise<number> {
  if (set.count === 0) return 0;
  const out = await reconstruct(model, set);
  const scores = reconstructionScores(
    set.x,
    out,
    set.count,
    set.length,
    set.width,
    set.length,
    weights,
    SCORE_TOP_FEATURES,
  ).scores;
  const size = set.length * set.width;
  const segments: { entity: string; values: ArrayLike<number> }[] = [];
  for (let e = 0; e < set.entities.length; e++) {
    const idx = Array.from(set.entityIndex.keys()).filter((i) => set.entityIndex[i] === e);
    if (idx.length === 0) continue;
    // Point errors need an entity's consecutive windows (stride 1): they are, in a CSV's training part.
    const [first, last] = [idx[0], idx[idx.length - 1]];
    const values =
      detection.errors === 'point' && last - first + 1 === idx.length
        ? pointScores(
            { windowLength: set.length, features: new Array(set.width).fill(''), scoreWeights: weights },
            set.x.subarray(first * size, (last + 1) * size),
            out.subarray(first * size, (last + 1) * size),
            idx.length,
          )
        : Float64Array.from(idx, (i) => scores[i]);
    segments.push({ entity: set.entities[e], values });
  }
  const detector = slidingDetector(detection);
  return joinedAlarmShare(segments, sourceOf, (v) => detector.alarms(v), set.count);
}

/** Alarmed share of `windows` with one detector run per source entity over its segments' values joined in order. */
export function joinedAlarmShare(
  segments: readonly { entity: string; values: ArrayLike<number> }[],
  sourceOf: ReadonlyMap<string, string>,
  alarms: (values: readonly number[]) => Uint8Array,
  windows: number,
): number {
  const joined = new Map<string, number[]>();
  for (const { entity, values } of segments) {
    const key = sourceOf.get(entity) ?? entity;
    const series = joined.get(key) ?? [];
    for (let i = 0; i < values.length; i++) series.push(values[i]);
    joined.set(key, series);
  }
  let flagged = 0;
  for (const series of joined.values()) flagged += alarms(series).reduce((a, b) => a + b, 0);
  return windows > 0 ? flagged / windows : 0;
}
