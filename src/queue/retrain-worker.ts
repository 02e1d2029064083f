/**
 * The retrain role (`node dist/src/main.js retrain`, part of `all`): the retrain queue's worker. Training code stays
 * out of src/: training, evaluation and the shadow comparison run as the compiled entry points of scripts/
 * (src/queue/training-entry.ts). For each job:
 *
 * 1. Pin the active version (without ACTIVE the newest version, our candidate, would be served on next start).
 * 2. A shadow registered for the model (models/<name>/SHADOW) is compared first, from the scores it and the
 *    champion wrote every forecast since it started, against the labels of that period. With fewer than
 *    RETRAIN_MIN_LABELLED_EVENTS labelled events the shadow keeps running and nothing is trained (a new candidate
 *    would restart the wait for labels): `shadow_pending`. With enough it is concluded: better (same rule as
 *    below) → `would_promote`, promoted only when SHADOW_AUTO_PROMOTE is set; else `keep`. Either way its shadow
 *    period ends.
 * 3. Train a candidate on the range before a held-out window, evaluate candidate and champion on that SAME window,
 *    decide (src/queue/retrain-decision.ts): promote (ACTIVE + a Redis message every serving process follows),
 *    keep, or shadow (too few labelled events in the holdout: registered as the model's shadow from the holdout's
 *    end on, never served).
 * Every decision is a row in `model_comparisons` (src/queue/model-comparisons.ts) with both figures and the label
 * count.
 */
import path from 'node:path';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { Composition } from '../composition.js';
import { oneHotName } from '../features/model-inputs.js';
import type { ModelMetadata } from '../features/model-metadata.js';
import { ModelStore, type ShadowRegistration, type StoredVersion } from '../inference/model-store.js';
import { workerConnection } from './connection.js';
import { comparisonRow, type RecordedDecision } from './model-comparisons.js';
import { publishPromotion } from './model-events.js';
import type { RetrainJobData } from './names.js';
import { decidePromotion, type PromotionDecision } from './retrain-decision.js';
import { EntryNoData, numbersOf, runEntry } from './training-entry.js';

const HOUR = 3_600_000;

export interface RetrainRoleOptions {
  /** Held-out window at the end of the range, for both evaluations. @defaultValue 6 h */
  readonly holdoutMs?: number;
  /** Training range before the held-out window when the job names none. @defaultValue 48 h */
  readonly trainSpanMs?: number;
  /** Extra training CLI flags (e.g. `--epochs 1` in tests). */
  readonly trainArgs?: readonly string[];
  /** Training child process limit. @defaultValue 2 h */
  readonly trainTimeoutMs?: number;
  /** Evaluation and comparison child process limit. @defaultValue 30 min */
  readonly evaluateTimeoutMs?: number;
  /** Evaluation reports root. @defaultValue reports/retrain */
  readonly reportsDir?: string;
}

export interface ShadowReview extends PromotionDecision {
  readonly shadowVersion: string;
  readonly recorded: RecordedDecision;
  readonly shadow: Record<string, number>;
  readonly champion: Record<string, number>;
}

export interface RetrainResult extends Partial<PromotionDecision> {
  readonly model: string;
  readonly activeVersion: string;
  /** The shadow comparison, when the model had a shadow. */
  readonly shadowReview?: ShadowReview;
  /** Absent when no candidate was trained (the shadow still waits for labels). */
  readonly candidateVersion?: string;
  readonly trainRange?: { from: string; to: string };
  readonly holdout?: { from: string; to: string };
  /** Why no candidate was trained although one was due (too little telemetry in the training range). */
  readonly skipped?: string;
}

/**
 * The features to train a candidate with: the active version's, less the one-hot columns a throughput model
 * records (`gpu_model=H100`), which its trainer derives again from the categories the data holds.
 */
export function trainedFeatures(meta: Pick<ModelMetadata, 'features' | 'categories'>): string[] {
  const oneHot = new Set(
    Object.entries(meta.categories ?? {}).flatMap(([category, values]) => values.map((v) => oneHotName(category, v))),
  );
  return meta.features.filter((f) => !oneHot.has(f));
}

const versionName = (now: number) => `r${new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '')}`;
const iso = (ms: number) => new Date(ms).toISOString();

export function retrainProcessor(c: Composition, log: Logger, opts: RetrainRoleOptions = {}) {
  const { config, writer, queues } = c;
  const store = new ModelStore(config.models.dir);
  const holdoutMs = opts.holdoutMs ?? 6 * HOUR;
  const trainSpanMs = opts.trainSpanMs ?? 48 * HOUR;
  const evaluateTimeoutMs = opts.evaluateTimeoutMs ?? 30 * 60_000;
  const minLabelledEvents = config.queue.retrainMinLabelledEvents;

  const promote = async (model: string, version: string) => {
    await store.writeActive(model, version);
    await publishPromotion(queues.redis, queues.prefix, { model, version });
  };

  async function reviewShadow(
    job: Job<RetrainJobData>,
    active: StoredVersion,
    shadow: ShadowRegistration,
    now: number,
  ): Promise<ShadowReview> {
    const meta = active.metadata;
    const model = active.name;
    const horizonMs = meta.family === 'fault' ? (meta.horizonSteps ?? 0) * meta.samplePeriodMs : 0;
    const { lastLine } = await runEntry(
      'compare-shadow',
      [
        ...['--model', model, '--shadow-version', shadow.version, '--from', String(shadow.since)],
        ...['--to', String(now), '--horizon-ms', String(horizonMs)],
      ],
      evaluateTimeoutMs,
      log,
    );
    const cmp = JSON.parse(lastLine) as { shadow: Record<string, unknown>; champion: Record<string, unknown> };
    const figures = { shadow: numbersOf(cmp.shadow), champion: numbersOf(cmp.champion) };
    const decision = decidePromotion(meta.family, figures.shadow, figures.champion, { minLabelledEvents });
    const better = decision.decision === 'promote';
    const recorded: RecordedDecision =
      decision.decision === 'shadow'
        ? 'shadow_pending'
        : better
          ? config.queue.shadowAutoPromote
            ? 'promote'
            : 'would_promote'
          : 'keep';
    const promoted = recorded === 'promote';
    await writer.writeDurable('model_comparisons', [
      comparisonRow({
        model,
        candidateVersion: shadow.version,
        activeVersion: active.version,
        trigger: job.data.trigger ?? 'api',
        kind: 'shadow',
        decision,
        recorded,
        promoted,
        candidate: figures.shadow,
        active: figures.champion,
        range: { from: shadow.since, to: now },
      }),
    ]);
    if (promoted) await promote(model, shadow.version);
    if (recorded !== 'shadow_pending') await store.clearShadow(model);
    log.info({ model, shadow: shadow.version, recorded, reason: decision.reason }, 'retrain: shadow compared');
    return { ...decision, promote: promoted, shadowVersion: shadow.version, recorded, ...figures };
  }

  return async function retrain(job: Job<RetrainJobData>): Promise<RetrainResult> {
    const { model } = job.data;
    if (typeof model !== 'string' || !model) throw new UnrecoverableError('retrain job needs a model name');
    const versions = await store.versions(model).catch(() => []);
    if (versions.length === 0) throw new UnrecoverableError(`model ${model} has no servable version to retrain`);
    let activeVersion = (await store.readActive(model)) ?? versions[0].version;
    await store.writeActive(model, activeVersion);

    const end = job.data.to ?? Date.now();
    let shadowReview: ShadowReview | undefined;
    const shadow = await store.readShadow(model);
    if (shadow && shadow.version === activeVersion)
      await store.clearShadow(model); // promoted by an admin
    else if (shadow && end <= shadow.since)
      // A retrain over a range that ends before the shadow started (a backfill, a rerun of an old range) holds
      // none of the shadow's forecasts: the shadow stays registered for the next retrain to judge.
      log.info(
        { model, shadow: shadow.version, since: iso(shadow.since), to: iso(end) },
        'retrain: shadow not reviewed, the range ends before it started',
      );
    else if (shadow && versions.some((v) => v.version === shadow.version)) {
      const active = versions.find((v) => v.version === activeVersion) ?? versions[0];
      shadowReview = await reviewShadow(job, active, shadow, end);
      if (shadowReview.recorded === 'shadow_pending') return { model, activeVersion, shadowReview };
      if (shadowReview.promote) activeVersion = shadow.version;
    } else if (shadow) await store.clearShadow(model); // its version is gone from disk: nothing to compare
    const active = versions.find((v) => v.version === activeVersion) ?? versions[0];
    const meta = active.metadata;

    const holdFrom = end - holdoutMs;
    const trainFrom = job.data.from ?? holdFrom - trainSpanMs;
    if (!(holdFrom > trainFrom)) throw new UnrecoverableError('the range is shorter than the held-out window');
    const candidateVersion = versionName(Date.now());
    const args = [
      ...['--model', meta.family, '--name', model, '--version', candidateVersion, '--out', config.models.dir],
      ...['--source', 'questdb', '--from', iso(trainFrom), '--to', iso(holdFrom), '--progress', 'lines'],
      ...(meta.family === 'throughput' ? [] : ['--window', String(meta.windowLength)]),
      ...['--features', trainedFeatures(meta).join(',')],
      ...(meta.horizonSteps ? ['--horizon', String(meta.horizonSteps)] : []),
      ...(meta.ttfCapSteps ? ['--ttf-cap', String(meta.ttfCapSteps)] : []),
      ...(opts.trainArgs ?? []),
    ];
    log.info({ model, candidateVersion, active: active.version, trigger: job.data.trigger }, 'retrain: training');
    await job.updateProgress(5);
    try {
      await runEntry('train', args, opts.trainTimeoutMs ?? 2 * HOUR, log);
    } catch (err) {
      if (!(err instanceof EntryNoData)) throw err;
      // A young installation (the quick start backfills 2 h; training needs data before the 6 h holdout): the
      // next scheduled retrain tries again, so this run is done, not failed.
      const trainRange = { from: iso(trainFrom), to: iso(holdFrom) };
      log.warn({ model, trainRange, reason: err.message }, 'retrain: skipped, too little data to train on');
      return { model, activeVersion, ...(shadowReview ? { shadowReview } : {}), trainRange, skipped: err.message };
    }
    await job.updateProgress(60);

    const reports = opts.reportsDir ?? path.join('reports', 'retrain');
    const evaluate = async (dir: string) => {
      const { lastLine } = await runEntry(
        'evaluate',
        [
          ...['--model-dir', dir, '--source', 'questdb', '--from', iso(holdFrom), '--to', iso(end)],
          '--reports',
          reports,
        ],
        evaluateTimeoutMs,
        log,
      );
      return numbersOf((JSON.parse(lastLine) as { metrics: Record<string, unknown> }).metrics);
    };
    const candidate = await store.read(model, candidateVersion);
    const candidateMetrics = await evaluate(candidate.dir);
    await job.updateProgress(80);
    const activeMetrics = await evaluate(active.dir);
    // Both were evaluated on the same holdout: the candidate's label count is the holdout's.
    const decision = decidePromotion(meta.family, candidateMetrics, activeMetrics, { minLabelledEvents });
    await writer.writeDurable('model_comparisons', [
      comparisonRow({
        model,
        candidateVersion,
        activeVersion: active.version,
        trigger: job.data.trigger ?? 'api',
        kind: 'holdout',
        decision,
        recorded: decision.decision,
        promoted: decision.promote,
        candidate: candidateMetrics,
        active: activeMetrics,
        range: { from: holdFrom, to: end },
      }),
    ]);
    if (decision.promote) await promote(model, candidateVersion);
    // The shadow period starts where the evidence so far ends: the holdout's end.
    if (decision.decision === 'shadow') await store.writeShadow(model, { version: candidateVersion, since: end });
    log.info({ model, candidateVersion, ...decision }, 'retrain: compared');
    await job.updateProgress(100);
    return {
      model,
      candidateVersion,
      activeVersion: active.version,
      trainRange: { from: iso(trainFrom), to: iso(holdFrom) },
      holdout: { from: iso(holdFrom), to: iso(end) },
      ...(shadowReview ? { shadowReview } : {}),
      ...decision,
    };
  };
}

/** The retrain role on the process's composition; `close()` lets a running job finish (or stall to another host). */
export async function startRetrainRole(c: Composition, log: Logger, opts: RetrainRoleOptions = {}) {
  const connection = workerConnection(c.config.redis);
  const worker = new Worker('retrain', retrainProcessor(c, log, opts), {
    connection,
    prefix: c.queues.prefix,
    concurrency: c.config.queue.retrainConcurrency,
    // Training runs in a child process, so the lock keeps renewing; a dead host is noticed within minutes.
    lockDuration: 5 * 60_000,
    stalledInterval: 60_000,
  });
  worker.on('failed', (job, err) => log.warn({ jobId: job?.id, err: err.message }, 'retrain failed'));
  await worker.waitUntilReady();
  log.info({ prefix: c.queues.prefix }, 'retrain worker ready');
  return {
    worker,
    async close() {
      await worker.close();
      await connection.quit().catch(() => {});
    },
  };
}
