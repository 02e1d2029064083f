/**
 * One model version loaded in the worker pool: its session, the dims of one input row, its micro-batcher, and the
 * reference count that keeps it alive while requests hold it. A lease is what one request holds.
 */
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { InferenceLog, InferenceObserver, ModelLease, OutputTensor } from './inference-types.js';
import { MicroBatcher } from './micro-batcher.js';
import type { StoredVersion } from './model-store.js';
import type { SessionWorkerPool } from './worker-pool.js';
import type { LoadedSession } from './worker-protocol.js';

/**
 * Batches in flight per worker: one running and one waiting in its queue, so a worker never idles while the main
 * thread turns the last result into responses and cuts the next batch. (Measured on the 2-core dev box under other
 * load: median windows/s about 15-35% higher than one in flight; the noise was large.)
 */
const PIPELINE_DEPTH = 2;

export interface LoadedVersion {
  readonly key: string;
  readonly stored: StoredVersion;
  readonly session: LoadedSession;
  readonly rowDims: readonly number[];
  readonly batcher: MicroBatcher;
  refs: number;
  retired: boolean;
  released: boolean;
}

/** Inner input dims from the session's input shape; symbolic inner dims are filled from model.json. */
export function rowDimsOf(session: LoadedSession, stored: StoredVersion): number[] {
  const inner = session.inputShape.slice(1);
  const meta = stored.metadata;
  const fromMeta = inner.length === 2 ? [meta.windowLength, meta.features.length] : [meta.features.length];
  return inner.map((d, i) => (typeof d === 'number' && d > 0 ? d : (fromMeta[i] ?? 1)));
}

export function newLoadedVersion(
  key: string,
  stored: StoredVersion,
  session: LoadedSession,
  pool: SessionWorkerPool,
  config: Pick<Config['models'], 'maxBatch' | 'maxBatchWaitMs'>,
  observer: InferenceObserver,
): LoadedVersion {
  const { name, version } = stored;
  const rowDims = rowDimsOf(session, stored);
  const batcher = new MicroBatcher({
    maxBatch: config.maxBatch,
    maxWaitMs: config.maxBatchWaitMs,
    concurrency: pool.size * PIPELINE_DEPTH,
    rowDims,
    onBatch: (rows, requests) => observer.batch?.(name, version, rows, requests),
    run: async (input, dims) => {
      const started = performance.now();
      const { outputs } = await pool.run(key, { data: input.buffer as ArrayBuffer, dims });
      const res: Record<string, OutputTensor> = {};
      for (const [n, t] of Object.entries(outputs)) res[n] = { data: new Float32Array(t.data), dims: t.dims };
      observer.ran?.(name, version, session.ep, dims[0], (performance.now() - started) / 1000);
      return res;
    },
  });
  return { key, stored, session, rowDims, batcher, refs: 0, retired: false, released: false };
}

/** What a request holds: checks shapes, then runs through the version's micro-batcher. */
export function leaseOf(entry: LoadedVersion, observer: InferenceObserver, log: InferenceLog): ModelLease {
  const { name, version, metadata } = entry.stored;
  const ep = entry.session.ep;
  return {
    model: name,
    version,
    metadata,
    rowDims: entry.rowDims,
    executionProvider: ep,
    run: async (input, dims) => {
      if (dims.length === 0 || dims[0] === 0) throw new AppError('EMPTY_BATCH', `no rows to score for ${entry.key}`);
      const inner = dims.slice(1);
      if (inner.length !== entry.rowDims.length || inner.some((d, i) => d !== entry.rowDims[i])) {
        throw new AppError(
          'INVALID_WINDOW',
          `model ${entry.key} expects each input as [${entry.rowDims.join(', ')}], got [${inner.join(', ')}]`,
          { expected: entry.rowDims, got: inner },
        );
      }
      const size = dims.reduce((a, b) => a * b, 1);
      if (input.length !== size) {
        throw new AppError(
          'INVALID_WINDOW',
          `input has ${input.length} values, dims [${dims.join(', ')}] need ${size}`,
        );
      }
      try {
        const outputs = await entry.batcher.submit(input, dims[0]);
        return { model: name, version, metadata, executionProvider: ep, outputs };
      } catch (err) {
        const code = err instanceof AppError ? err.code : 'INFERENCE_FAILED';
        observer.failure?.(name, version, code);
        if (err instanceof AppError && code !== 'INFERENCE_FAILED') throw err;
        // The runtime's message (file paths, kernel names) goes to the log, not to the caller.
        log.error(
          { model: entry.key, err: err instanceof Error ? err.message : String(err) },
          `inference on ${entry.key} failed`,
        );
        throw new AppError('INFERENCE_FAILED', `inference on ${entry.key} failed`, undefined, { cause: err });
      }
    },
  };
}
