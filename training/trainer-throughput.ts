/**
 * Throughput regressor training on job_metrics rows: one-hot gpu_model (categories from the training rows, in
 * sorted order, recorded in metadata.categories), log sizes and clocks, power cap, temperature and utilisation
 * → log-throughput, standard-scaled (metadata.targetTransform = 'log', targetScaler). Split by time: the first
 * part of the period trains, later rows validate.
 */
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../src/errors.js';
import { logValue, rawFields } from '../src/features/derived.js';
import { oneHotName, throughputFromOutput, throughputMatrix, throughputTarget } from '../src/features/model-inputs.js';
import { applyScaler, fitScaler } from '../src/features/scaler.js';
import type { TelemetryRow } from '../src/telemetry/catalogue.js';
import type { TrainingData } from './datasets/entities.js';
import { sample } from './datasets/random.js';
import { mape } from './metrics/regression.js';
import { buildThroughputModel, THROUGHPUT_DEFAULTS } from './models/throughput.js';
import { trainModel } from './trainer.js';
import { type FamilyOptions, type FamilyResult, predictFlat, round, THROUGHPUT_FEATURES } from './trainer-common.js';

/** Rows a throughput model can learn from: a positive throughput and every input present. */
export function usableJobRows(rows: readonly TelemetryRow[], fields: readonly string[]): TelemetryRow[] {
  return rows.filter(
    (r) =>
      (r.values.throughput ?? 0) > 0 &&
      (r.values.gpu_util_mean ?? 1) > 0 &&
      typeof r.symbols.gpu_model === 'string' &&
      fields.every((f) => Number.isFinite(r.values[f])),
  );
}

/** At most this many training rows: consecutive samples of one job are near-duplicates. */
const MAX_TRAIN_ROWS = 40_000;

export async function trainThroughputModel(data: TrainingData, o: FamilyOptions): Promise<FamilyResult> {
  const numeric = o.features ?? THROUGHPUT_FEATURES;
  const rows = usableJobRows(data.jobs ?? [], rawFields(numeric));
  if (rows.length < 10)
    throw new AppError('NO_DATA', `only ${rows.length} usable job rows (need throughput and inputs)`);
  const sorted = [...rows].sort((a, b) => a.ts - b.ts);
  const total = o.fractions.train + o.fractions.validation + o.fractions.test;
  const nTrain = Math.floor((sorted.length * o.fractions.train) / total);
  const nVal = Math.floor((sorted.length * o.fractions.validation) / total);
  const trainRows = sample(sorted.slice(0, nTrain), MAX_TRAIN_ROWS, o.seed);
  const valRows = sample(sorted.slice(nTrain, nTrain + nVal), MAX_TRAIN_ROWS / 4, o.seed + 1);

  const categories = { gpu_model: [...new Set(trainRows.map((r) => r.symbols.gpu_model))].sort() };
  const features = [...categories.gpu_model.map((m) => oneHotName('gpu_model', m)), ...numeric];
  const raw = throughputMatrix(trainRows, features);
  const scaler = fitScaler(raw, features.length);
  const targetScaler = fitScaler(
    trainRows.map((r) => logValue(r.values.throughput)),
    1,
  );
  const targetMeta = { targetScaler, targetTransform: 'log' as const };

  const hidden = o.units ? [o.units * 2, o.units] : [...THROUGHPUT_DEFAULTS.hidden];
  const learningRate = o.learningRate ?? THROUGHPUT_DEFAULTS.learningRate;
  const model = buildThroughputModel({ features: features.length, hidden, learningRate, seed: o.seed });
  const tensors = (rs: readonly TelemetryRow[]) => ({
    x: tf.tensor2d(applyScaler(scaler, throughputMatrix(rs, features)), [rs.length, features.length]),
    y: tf.tensor2d(
      throughputTarget(
        rs.map((r) => r.values.throughput),
        targetMeta,
      ),
      [rs.length, 1],
    ),
  });
  const train = tensors(trainRows);
  const val = valRows.length > 0 ? tensors(valRows) : undefined;
  const result = await trainModel(model, train, val, { label: 'throughput', ...o.trainer, seed: o.seed });

  const metrics: Record<string, number> = {
    trainRows: trainRows.length,
    valRows: valRows.length,
    valLoss: round(result.bestLoss),
  };
  if (val) {
    const pred = throughputFromOutput(await predictFlat(model, val.x), targetMeta);
    metrics.valMapePct = round(
      mape(
        pred,
        valRows.map((r) => r.values.throughput),
      ),
      4,
    );
  }
  for (const t of [train.x, train.y, val?.x, val?.y]) t?.dispose();
  return {
    model,
    meta: {
      family: 'throughput',
      features,
      scaler,
      windowLength: 1,
      stride: 1,
      outputs: ['throughput'],
      categories,
      targetScaler,
      targetTransform: 'log',
    },
    metrics,
    hyperparameters: { hidden: hidden.join('x'), learningRate, rows: rows.length },
    result,
  };
}
