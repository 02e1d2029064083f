/**
 * One training epoch of the anomaly detector on every TensorFlow.js backend available here, on the same windows.
 * Backends come from the product's registry and are activated by its `chooseBackend`; the model is the product's
 * builder and the epoch is the product's trainer. A one-batch warm-up (kernel compilation, WebGPU shader
 * pipelines, wasm start) runs first and is timed apart, so windows/s measures the steady epoch.
 */
import * as tf from '@tensorflow/tfjs';
import { chooseBackend } from '../../training/backend.js';
import { type BackendEntry, defaultBackends } from '../../training/backend-registry.js';
import { buildAnomalyDetector } from '../../training/models/anomaly.js';
import { trainModel } from '../../training/trainer.js';
import { type CheckLog, secondsLeft } from './check-log.js';
import type { CheckWindows } from './data.js';
import type { GpuCheckOptions } from './options.js';

export interface TrainMeasurement {
  readonly backend: string;
  readonly status: 'ok' | 'unavailable' | 'failed' | 'skipped';
  readonly device?: string;
  readonly reason?: string;
  readonly windows: number;
  readonly warmupSeconds?: number;
  readonly epochSeconds?: number;
  readonly windowsPerSecond?: number;
  readonly loss?: number;
}

type TrainOptions = Pick<GpuCheckOptions, 'backends' | 'units' | 'batchSize' | 'seed'>;

/** Called with the model right after the first successful epoch, while its backend is still active (export). */
export type AfterFirstEpoch = (model: tf.LayersModel, backend: string) => Promise<void>;

/** Seconds a backend needs at least (start, warm-up); a backend is skipped when less than this is left. */
const MIN_SECONDS_PER_BACKEND = 10;

export async function benchTraining(
  w: CheckWindows,
  opts: TrainOptions,
  log: CheckLog,
  deadline: number,
  afterFirst: AfterFirstEpoch,
  registry: readonly BackendEntry[] = defaultBackends(),
): Promise<TrainMeasurement[]> {
  const out: TrainMeasurement[] = [];
  let exported = false;
  for (const entry of registry) {
    const base = { backend: entry.name, windows: w.count };
    if (opts.backends.length > 0 && !opts.backends.includes(entry.name)) {
      out.push({ ...base, status: 'skipped', reason: 'not requested (--backends)' });
      continue;
    }
    let available: boolean;
    try {
      available = await entry.isAvailable();
    } catch (err) {
      out.push({ ...base, status: 'failed', reason: `installed but failed to load: ${firstLine(err)}` });
      continue;
    }
    if (!available) {
      const reason = entry.unavailableReason?.() ?? 'not available here';
      log.info({ backend: entry.name, reason }, 'tfjs backend unavailable');
      out.push({ ...base, status: 'unavailable', reason });
      continue;
    }
    if (secondsLeft(deadline) < MIN_SECONDS_PER_BACKEND) {
      out.push({ ...base, status: 'skipped', reason: 'time budget spent' });
      continue;
    }
    let m: Awaited<ReturnType<typeof oneEpoch>>;
    try {
      m = await oneEpoch(entry, registry, w, opts, log, deadline);
    } catch (err) {
      if (err instanceof OverBudget) {
        log.info({ backend: entry.name, reason: err.message }, 'tfjs backend skipped');
        out.push({ ...base, status: 'skipped', reason: err.message, windowsPerSecond: err.windowsPerSecond });
        continue;
      }
      log.warn({ backend: entry.name, err: firstLine(err) }, 'tfjs backend failed during the epoch');
      out.push({ ...base, status: 'failed', reason: firstLine(err) });
      continue;
    }
    out.push({ ...base, status: 'ok', ...m.result });
    if (!exported) {
      try {
        await afterFirst(m.model, entry.name);
        exported = true;
      } catch (err) {
        // The epoch itself worked; the next backend's model is exported instead.
        log.warn({ backend: entry.name, err: firstLine(err) }, 'ONNX export failed; trying the next backend');
      }
    }
    m.model.dispose();
  }
  return out;
}

/** The epoch would not end before the deadline; carries the one-batch throughput that predicted it. */
class OverBudget extends Error {
  constructor(
    message: string,
    readonly windowsPerSecond: number,
  ) {
    super(message);
  }
}

async function oneEpoch(
  entry: BackendEntry,
  registry: readonly BackendEntry[],
  w: CheckWindows,
  opts: TrainOptions,
  log: CheckLog,
  deadline: number,
): Promise<{ model: tf.LayersModel; result: Partial<TrainMeasurement> }> {
  const chosen = await chooseBackend({ registry, requested: entry.name, log });
  const model = buildAnomalyDetector({ windowLength: w.length, features: w.width, units: opts.units, seed: opts.seed });
  const x = tf.tensor3d(w.data, [w.count, w.length, w.width]);
  try {
    const warm = performance.now();
    const first = x.slice(0, Math.min(opts.batchSize, w.count));
    await model.trainOnBatch(first, first);
    const warmupSeconds = (performance.now() - warm) / 1000;
    // A second, warm batch predicts the epoch; a slow backend (pure-JS cpu on a big run) is skipped, not awaited.
    const probe = performance.now();
    await model.trainOnBatch(first, first);
    const batchSeconds = (performance.now() - probe) / 1000;
    first.dispose();
    const estimate = Math.ceil(w.count / opts.batchSize) * batchSeconds;
    if (estimate > secondsLeft(deadline)) {
      const wps = Math.min(opts.batchSize, w.count) / batchSeconds;
      throw new OverBudget(
        `epoch estimated at ${estimate.toFixed(0)} s, ${Math.max(0, secondsLeft(deadline)).toFixed(0)} s of the budget left (one batch: ${wps.toFixed(1)} windows/s)`,
        wps,
      );
    }
    // The autoencoder reconstructs its input: x is also the target.
    const r = await trainModel(model, { x, y: x }, undefined, {
      epochs: 1,
      batchSize: opts.batchSize,
      seed: opts.seed,
      progress: 'none',
      label: `anomaly@${entry.name}`,
    });
    const result = {
      device: chosen.device,
      warmupSeconds,
      epochSeconds: r.seconds,
      windowsPerSecond: w.count / r.seconds,
      loss: r.history.loss[0],
    };
    log.info({ backend: entry.name, ...result }, 'tfjs epoch done');
    return { model, result };
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    x.dispose();
  }
}

export function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 300);
}
