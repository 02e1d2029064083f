/**
 * One training run, end to end: choose the compute backend, read the data, train the family's model, and write
 * `models/<name>/<version>/` (tfjs, model.json, model.onnx, history.json). The CLI (training/cli/train.ts) only
 * parses arguments into RunOptions.
 */
import { AppError } from '../src/errors.js';
import { rawFields } from '../src/features/derived.js';
import type { ModelFamily, ModelMetadata } from '../src/features/model-metadata.js';
import { saveTrainedModel, timestampVersion } from './artifacts.js';
import { ensureBackend } from './backend.js';
import { loadTrainingData, type SourceSpec } from './datasets/sources.js';
import type { TrainerOptions } from './trainer.js';
import { trainAnomalyDetector } from './trainer-anomaly.js';
import { type FamilyOptions, type FamilyResult, GPU_WINDOW_FEATURES } from './trainer-common.js';
import { trainFaultPredictor, trainTtfModel } from './trainer-fault.js';
import { trainThroughputModel } from './trainer-throughput.js';

export interface RunOptions extends Omit<FamilyOptions, 'trainer'> {
  readonly family: ModelFamily;
  readonly source: SourceSpec;
  /** @defaultValue the family */
  readonly name?: string;
  /** @defaultValue a UTC timestamp, e.g. 20261128T061500Z */
  readonly version?: string;
  /** Models root folder. */
  readonly out: string;
  /** Registry name of the tfjs backend; empty: TFJS_BACKEND, else the best available. */
  readonly backend?: string;
  readonly onnx: boolean;
  readonly trainer: TrainerOptions;
  readonly log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export interface RunResult {
  readonly dir: string;
  readonly meta: ModelMetadata;
}

function trainFamily(o: RunOptions, data: Parameters<typeof trainAnomalyDetector>[0]): Promise<FamilyResult> {
  switch (o.family) {
    case 'anomaly':
      return trainAnomalyDetector(data, o);
    case 'fault':
      return trainFaultPredictor(data, o);
    case 'ttf':
      return trainTtfModel(data, o);
    case 'throughput':
      return trainThroughputModel(data, o);
  }
}

/** Raw fields a source must deliver for the family. */
function fieldsFor(o: RunOptions): string[] {
  if (o.family === 'throughput') return [];
  const features = o.features ?? GPU_WINDOW_FEATURES;
  return rawFields(features);
}

export async function runTraining(o: RunOptions): Promise<RunResult> {
  const version = o.version ?? timestampVersion();
  const name = o.name ?? o.family;
  const backend = await ensureBackend(o.backend, o.log);
  const started = performance.now();
  const data = await loadTrainingData(o.source, { fields: fieldsFor(o), jobs: o.family === 'throughput', log: o.log });
  o.log.info(
    {
      source: data.source.kind,
      entities: data.entities.length,
      rows: data.source.rows,
      sha256: data.source.sha256.slice(0, 12),
    },
    'training data loaded',
  );
  if (data.entities.length === 0 && o.family !== 'throughput')
    throw new AppError('NO_DATA', 'the source has no series');
  if (o.family !== 'throughput' && data.entities.length > o.maxEntities) {
    o.log.warn(
      { entities: data.entities.length, used: o.maxEntities },
      `--max-devices ${o.maxEntities}: training uses ${o.maxEntities} of the ${data.entities.length} entities (faulty ones first); pass --max-devices ${data.entities.length} to use all`,
    );
  }
  const fam = await trainFamily(o, data);
  // An alarm share this high on the (mostly healthy) training data means the detector flags ordinary behaviour.
  const share = fam.metrics.trainAlarmShare;
  if (share !== undefined && share > 0.2) {
    o.log.warn(
      { trainAlarmShare: share },
      `the detector flags ${(share * 100).toFixed(0)} % of training windows as anomalous; expect many false intervals`,
    );
  }
  const seconds = (performance.now() - started) / 1000;
  const meta: ModelMetadata = {
    name,
    version,
    createdAt: new Date().toISOString(),
    samplePeriodMs: data.samplePeriodMs,
    source: data.source,
    ...fam.meta,
    metrics: fam.metrics,
    training: {
      backend: backend.name,
      device: backend.device,
      epochs: fam.result.epochs,
      bestEpoch: fam.result.bestEpoch,
      seconds: Number(seconds.toFixed(1)),
      seed: o.seed,
      hyperparameters: {
        ...fam.hyperparameters,
        epochs: o.trainer.epochs ?? 0,
        ...(o.trainer.steps !== undefined ? { steps: o.trainer.steps } : {}),
        batchSize: o.trainer.batchSize ?? 0,
        // The split training used, so `evaluate --split test` can read it back rather than recompute it.
        splitTrain: o.fractions.train,
        splitValidation: o.fractions.validation,
        splitTest: o.fractions.test,
        patience: o.trainer.patience ?? 0,
        windowLength: fam.meta.windowLength,
      },
    },
  };
  const saved = await saveTrainedModel(fam.model, meta, { root: o.out, onnx: o.onnx, history: fam.result.history });
  fam.model.dispose();
  o.log.info({ dir: saved.dir, seconds: meta.training.seconds, metrics: meta.metrics }, 'model saved');
  return saved;
}
