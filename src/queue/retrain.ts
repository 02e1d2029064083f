/**
 * Retraining, queue side: enqueue a retrain job (from the API, a schedule, or drift), and the drift test. The
 * processor that trains, evaluates and promotes is the retrain role (src/queue/retrain-worker.ts); it runs the
 * training entry points as child processes, because src/ never imports training code.
 *
 * Drift: the population stability index (PSI) of the active anomaly model's recent scores against the scores the
 * same version produced when it first went live (its reference period), both read from `anomaly_scores`. PSI above
 * `driftPsi` (0.25, the usual "significant shift" bound) enqueues a retrain.
 */

import { scoresAround } from '../telemetry/queries/anomaly-scores.js';
import type { TelemetryReader } from '../telemetry/reader.js';
import type { RetrainJobData } from './names.js';
import type { FleetQueues } from './queues.js';

export interface RetrainOptions {
  /** PSI above which the score distribution has drifted. @defaultValue 0.25 */
  readonly driftPsi: number;
  /** Scheduled retrain period. @defaultValue 24 h */
  readonly everyMs: number;
  /** Recent scores compared with the reference, ms. @defaultValue 6 h */
  readonly recentMs: number;
  /** At least this many scores on each side before PSI means anything. @defaultValue 200 */
  readonly minSamples: number;
}

export const RETRAIN_DEFAULTS: RetrainOptions = Object.freeze({
  driftPsi: 0.25,
  everyMs: 24 * 3_600_000,
  recentMs: 6 * 3_600_000,
  minSamples: 200,
});

/**
 * PSI = Σ (a_i − e_i) · ln(a_i / e_i) over `bins` bins cut at the expected sample's quantiles (so each expected
 * bin holds about 1/bins); empty bins get a small floor so the log stays finite.
 */
export function populationStabilityIndex(expected: ArrayLike<number>, actual: ArrayLike<number>, bins = 10): number {
  const ref = Float64Array.from(expected).sort();
  if (ref.length === 0 || actual.length === 0) return 0;
  const edges: number[] = [];
  for (let i = 1; i < bins; i++) edges.push(ref[Math.min(ref.length - 1, Math.floor((i * ref.length) / bins))]);
  const bucket = (v: number) => {
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (v < edges[mid]) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const e = new Float64Array(bins);
  const a = new Float64Array(bins);
  for (const v of ref) e[bucket(v)]++;
  for (let i = 0; i < actual.length; i++) a[bucket(actual[i])]++;
  const floor = 1e-4;
  let psi = 0;
  for (let i = 0; i < bins; i++) {
    const pe = Math.max(floor, e[i] / ref.length);
    const pa = Math.max(floor, a[i] / actual.length);
    psi += (pa - pe) * Math.log(pa / pe);
  }
  return psi;
}

/** Enqueue a retrain of `model`; while one is waiting or running for that model, a second request is absorbed. */
export async function enqueueRetrain(queues: FleetQueues, data: RetrainJobData): Promise<{ jobId: string }> {
  const job = await queues.retrain.add(`retrain-${data.model}`, data, {
    deduplication: { id: `retrain-${data.model}` },
  });
  return { jobId: String(job.id) };
}

/** The scheduled retrain: one job scheduler per model. */
export async function scheduleRetrain(queues: FleetQueues, model: string, everyMs: number): Promise<void> {
  await queues.retrain.upsertJobScheduler(
    `retrain-${model}`,
    { every: everyMs },
    { name: `retrain-${model}`, data: { model, trigger: 'schedule', requestedBy: 'scheduler' } },
  );
}

export interface DriftResult {
  readonly model: string;
  readonly version: string;
  readonly psi: number;
  readonly bound: number;
  readonly referenceSamples: number;
  readonly recentSamples: number;
  /** A retrain was enqueued. */
  readonly drifted: boolean;
}

/** Compare the active version's recent scores with its reference period; enqueue a retrain when they drifted. */
export async function checkDrift(
  reader: TelemetryReader,
  queues: FleetQueues,
  model: { name: string; version: string },
  now: number,
  opts: RetrainOptions = RETRAIN_DEFAULTS,
): Promise<DriftResult> {
  const { reference, recent } = await scoresAround(reader, {
    model: model.name,
    version: model.version,
    split: now - opts.recentMs,
    limit: 20_000,
  });
  const enough = reference.length >= opts.minSamples && recent.length >= opts.minSamples;
  const psi = enough ? populationStabilityIndex(reference, recent) : 0;
  const drifted = enough && psi > opts.driftPsi;
  if (drifted) {
    await enqueueRetrain(queues, {
      model: model.name,
      trigger: 'drift',
      requestedBy: 'drift-check',
      drift: { psi, bound: opts.driftPsi },
    });
  }
  return {
    model: model.name,
    version: model.version,
    psi,
    bound: opts.driftPsi,
    referenceSamples: reference.length,
    recentSamples: recent.length,
    drifted,
  };
}
