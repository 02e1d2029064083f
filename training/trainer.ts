/**
 * The training loop every model family shares: seeded shuffling per epoch, early stopping on validation loss with
 * patience, best weights restored at the end, and progress (a bar on a TTY, one line per epoch otherwise).
 * We call `fit` one epoch at a time with `shuffle: false` on our own permutation, because tfjs shuffles with
 * Math.random and a run must be reproducible from its seed.
 */
import * as tf from '@tensorflow/tfjs';
import { permutation } from './datasets/random.js';
import { type EpochProgress, progressReporter } from './trainer-progress.js';

export interface TrainData {
  readonly x: tf.Tensor;
  readonly y: tf.Tensor;
}

export interface TrainerOptions {
  /** @defaultValue 10 */
  readonly epochs?: number;
  /** @defaultValue 64 */
  readonly batchSize?: number;
  /**
   * Size training by optimiser steps rather than epochs: run ceil(steps / batches per epoch) epochs, at most
   * `epochs` (a small file then gets as many updates as a large one; early stopping still applies).
   */
  readonly steps?: number;
  /** Epochs without a validation-loss improvement before stopping. @defaultValue 3 */
  readonly patience?: number;
  /** Smallest decrease that counts as an improvement. @defaultValue 1e-4 */
  readonly minDelta?: number;
  /** Seeds the per-epoch shuffle. @defaultValue 42 */
  readonly seed?: number;
  /** Binary targets: loss weight per class, e.g. {0: 1, 1: 12}. */
  readonly classWeight?: Readonly<Record<number, number>>;
  /** Shown in the progress output. */
  readonly label?: string;
  /** `auto`: a bar on a TTY, lines otherwise. */
  readonly progress?: 'auto' | 'bar' | 'lines' | 'none';
  readonly onEpoch?: (e: EpochProgress) => void;
}

export interface TrainResult {
  readonly epochs: number;
  /** 1-based epoch whose weights were kept. */
  readonly bestEpoch: number;
  readonly bestLoss: number;
  readonly history: { readonly loss: number[]; readonly valLoss: number[] };
  readonly seconds: number;
  readonly stoppedEarly: boolean;
}

export const TRAINER_DEFAULTS = { epochs: 10, batchSize: 64, patience: 3, minDelta: 1e-4, seed: 42 } as const;

export async function trainModel(
  model: tf.LayersModel,
  train: TrainData,
  validation: TrainData | undefined,
  options: TrainerOptions = {},
): Promise<TrainResult> {
  const merged = { ...TRAINER_DEFAULTS, ...options };
  const n = train.x.shape[0];
  if (n === 0) throw new RangeError('no training examples');
  const o = { ...merged, epochs: epochsFor(merged, n) };
  const started = performance.now();
  const reporter = progressReporter(o.progress ?? 'auto', o.label ?? model.name, o.epochs, Math.ceil(n / o.batchSize));
  const history = { loss: [] as number[], valLoss: [] as number[] };
  let best = Number.POSITIVE_INFINITY;
  let bestEpoch = 0;
  let bestWeights: tf.Tensor[] | undefined;
  let waited = 0;
  let stoppedEarly = false;
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const order = tf.tensor1d(permutation(n, o.seed * 1009 + epoch), 'int32');
      const x = tf.gather(train.x, order);
      const y = tf.gather(train.y, order);
      order.dispose();
      reporter.startEpoch(epoch);
      const h = await model.fit(x, y, {
        epochs: 1,
        batchSize: o.batchSize,
        shuffle: false,
        verbose: 0,
        validationData: validation ? [validation.x, validation.y] : undefined,
        classWeight: o.classWeight ? { ...o.classWeight } : undefined,
        callbacks: { onBatchEnd: async (_b, logs) => reporter.batch(logs?.loss) },
      });
      x.dispose();
      y.dispose();
      const loss = Number(h.history.loss[0]);
      const valLoss = validation ? Number(h.history.val_loss[0]) : loss;
      history.loss.push(loss);
      history.valLoss.push(valLoss);
      const improved = valLoss < best - o.minDelta;
      if (improved) {
        best = valLoss;
        bestEpoch = epoch;
        waited = 0;
        for (const w of bestWeights ?? []) w.dispose();
        bestWeights = model.getWeights().map((w) => w.clone());
      } else {
        waited++;
      }
      const progress = { epoch, epochs: o.epochs, loss, valLoss, improved };
      reporter.endEpoch(progress);
      o.onEpoch?.(progress);
      if (!Number.isFinite(loss)) throw new Error(`training diverged at epoch ${epoch} (loss ${loss})`);
      if (waited >= o.patience) {
        stoppedEarly = epoch < o.epochs;
        break;
      }
    }
  } finally {
    reporter.stop();
  }
  if (bestWeights) {
    model.setWeights(bestWeights);
    for (const w of bestWeights) w.dispose();
  }
  return {
    epochs: history.loss.length,
    bestEpoch,
    bestLoss: best,
    history,
    seconds: (performance.now() - started) / 1000,
    stoppedEarly,
  };
}

/** Epochs to run: `epochs`, or with a step budget ceil(steps / batches per epoch), never more than `epochs`. */
export function epochsFor(o: { epochs: number; batchSize: number; steps?: number }, examples: number): number {
  if (o.steps === undefined) return o.epochs;
  const perEpoch = Math.max(1, Math.ceil(examples / o.batchSize));
  return Math.max(1, Math.min(o.epochs, Math.ceil(o.steps / perEpoch)));
}
