/**
 * `tsx scripts/retrain-worker.ts`: the retrain queue's worker. It lives outside src/ because it runs training code
 * (src/ never imports training/). For each job: pin the active version (so an unpromoted candidate is never served
 * by accident), train a candidate on recent QuestDB data with the active version's features and window (the
 * training CLI in a child process, so this process keeps renewing the job's lock), evaluate candidate and active on
 * the SAME held-out window that follows the training range, record the comparison in `model_comparisons`, and
 * promote only when the holdout holds at least RETRAIN_MIN_LABELLED_EVENTS labelled events and the candidate is
 * better (ACTIVE file + a Redis message every serving process follows); with fewer the decision is `shadow`
 * (src/queue/retrain-decision.ts): the candidate stays on disk unserved and the record says how many labels there were.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import pino, { type Logger } from 'pino';
import { type Composition, openComposition } from '../src/composition.js';
import { type Config, loadConfig } from '../src/config.js';
import { ModelStore } from '../src/inference/model-store.js';
import { workerConnection } from '../src/queue/connection.js';
import { publishPromotion } from '../src/queue/model-events.js';
import type { RetrainJobData } from '../src/queue/names.js';
import type { FleetQueues } from '../src/queue/queues.js';
import { decidePromotion, type PromotionDecision } from '../src/queue/retrain-decision.js';
import type { TelemetryWriter } from '../src/telemetry/writer.js';
import { evaluateModel } from '../training/evaluate/evaluate.js';

const HOUR = 3_600_000;

export interface RetrainWorkerOptions {
  readonly config: Config;
  readonly log: Logger;
  /** The process's composition (src/composition.ts); absent: the worker opens its own and closes it. */
  readonly composition?: Composition;
  /** Held-out window at the end of the range, for both evaluations. @defaultValue 6 h */
  readonly holdoutMs?: number;
  /** Training range before the held-out window when the job names none. @defaultValue 48 h */
  readonly trainSpanMs?: number;
  /** Extra training CLI flags (e.g. `--epochs 1` in tests). */
  readonly trainArgs?: readonly string[];
  /** Training child process limit. @defaultValue 2 h */
  readonly trainTimeoutMs?: number;
  readonly reportsDir?: string;
}

export interface RetrainResult extends PromotionDecision {
  readonly model: string;
  readonly candidateVersion: string;
  readonly activeVersion: string;
  readonly trainRange: { from: string; to: string };
  readonly holdout: { from: string; to: string };
}

const versionName = (now: number) => `r${new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '')}`;

/**
 * The training CLI beside this module: compiled (`dist/scripts/train.js`, run by node alone, as in the train image)
 * when this module is compiled, else the TypeScript source through tsx (a checkout).
 */
export function trainingCommand(moduleUrl: string = import.meta.url): string[] {
  const compiled = moduleUrl.endsWith('.js');
  const script = fileURLToPath(new URL(compiled ? './train.js' : './train.ts', moduleUrl));
  return compiled ? [script] : ['--import', 'tsx', script];
}

/** Run the training CLI as a child process; exit code 2 (bad arguments) cannot get better with a retry. */
function runTraining(args: readonly string[], timeoutMs: number, log: Logger): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...trainingCommand(), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    let tail = '';
    const keep = (b: Buffer) => {
      tail = (tail + b.toString('utf8')).slice(-2_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) return resolve();
      log.error({ code, signal, tail }, 'training failed');
      const message = `training exited with ${signal ?? code}: ${tail.trim().split('\n').slice(-3).join(' | ')}`;
      reject(code === 2 ? new UnrecoverableError(message) : new Error(message));
    });
  });
}

export function retrainProcessor(opts: RetrainWorkerOptions, writer: TelemetryWriter, queues: FleetQueues) {
  const { config, log } = opts;
  const store = new ModelStore(config.models.dir);
  const holdoutMs = opts.holdoutMs ?? 6 * HOUR;
  const trainSpanMs = opts.trainSpanMs ?? 48 * HOUR;

  return async function retrain(job: Job<RetrainJobData>): Promise<RetrainResult> {
    const { model } = job.data;
    if (typeof model !== 'string' || !model) throw new UnrecoverableError('retrain job needs a model name');
    const versions = await store.versions(model).catch(() => []);
    if (versions.length === 0) throw new UnrecoverableError(`model ${model} has no servable version to retrain`);
    const activeVersion = (await store.readActive(model)) ?? versions[0].version;
    const active = versions.find((v) => v.version === activeVersion) ?? versions[0];
    // Pin what is served now: without ACTIVE the newest version (our candidate) would be served on next start.
    await store.writeActive(model, active.version);
    const meta = active.metadata;

    const end = job.data.to ?? Date.now();
    const holdFrom = end - holdoutMs;
    const trainFrom = job.data.from ?? holdFrom - trainSpanMs;
    if (!(holdFrom > trainFrom)) throw new UnrecoverableError('the range is shorter than the held-out window');
    const candidateVersion = versionName(Date.now());
    const iso = (ms: number) => new Date(ms).toISOString();
    const args = [
      ...['--model', meta.family, '--name', model, '--version', candidateVersion, '--out', config.models.dir],
      ...['--source', 'questdb', '--from', iso(trainFrom), '--to', iso(holdFrom), '--progress', 'lines'],
      ...(meta.family === 'throughput' ? [] : ['--window', String(meta.windowLength)]),
      ...['--features', meta.features.join(',')],
      ...(meta.horizonSteps ? ['--horizon', String(meta.horizonSteps)] : []),
      ...(meta.ttfCapSteps ? ['--ttf-cap', String(meta.ttfCapSteps)] : []),
      ...(opts.trainArgs ?? []),
    ];
    log.info({ model, candidateVersion, active: active.version, trigger: job.data.trigger }, 'retrain: training');
    await job.updateProgress(5);
    await runTraining(args, opts.trainTimeoutMs ?? 2 * HOUR, log);
    await job.updateProgress(60);

    const evaluate = async (dir: string) =>
      (
        await evaluateModel({
          modelDir: dir,
          source: 'questdb',
          questdb: { config: config.questdb, from: holdFrom, to: end },
          reportsDir: opts.reportsDir ?? 'reports/retrain',
        })
      ).report.metrics;
    const candidate = await store.read(model, candidateVersion);
    const candidateMetrics = await evaluate(candidate.dir);
    await job.updateProgress(80);
    const activeMetrics = await evaluate(active.dir);
    // Both were evaluated on the same holdout: the candidate's label count is the holdout's.
    const decision = decidePromotion(meta.family, candidateMetrics, activeMetrics, {
      minLabelledEvents: config.queue.retrainMinLabelledEvents,
    });

    await writer.writeDurable('model_comparisons', [
      {
        ts: Date.now(),
        symbols: {
          model,
          candidate_version: candidateVersion,
          active_version: active.version,
          trigger: job.data.trigger ?? 'api',
          metric: decision.metric,
        },
        doubles: {
          ...(Number.isFinite(decision.candidate) ? { candidate_value: decision.candidate } : {}),
          ...(Number.isFinite(decision.active) ? { active_value: decision.active } : {}),
        },
        longs: { promoted: decision.promote ? 1 : 0 },
        strings: {
          detail: JSON.stringify({
            decision: decision.decision,
            labelledEvents: decision.labelledEvents,
            minLabelledEvents: decision.minLabelledEvents,
            reason: decision.reason,
            candidate: candidateMetrics,
            active: activeMetrics,
          }),
        },
      },
    ]);
    if (decision.promote) {
      await store.writeActive(model, candidateVersion);
      await publishPromotion(queues.redis, queues.prefix, { model, version: candidateVersion });
    }
    log.info({ model, candidateVersion, ...decision }, 'retrain: compared');
    await job.updateProgress(100);
    return {
      model,
      candidateVersion,
      activeVersion: active.version,
      trainRange: { from: iso(trainFrom), to: iso(holdFrom) },
      holdout: { from: iso(holdFrom), to: iso(end) },
      ...decision,
    };
  };
}

export async function startRetrainWorker(opts: RetrainWorkerOptions) {
  const composition = opts.composition ?? (await openComposition(opts.config, opts.log));
  const { writer, queues } = composition;
  const connection = workerConnection(opts.config.redis);
  const worker = new Worker('retrain', retrainProcessor(opts, writer, queues), {
    connection,
    prefix: queues.prefix,
    concurrency: opts.config.queue.retrainConcurrency,
    // Training runs in a child process, so the lock keeps renewing; a dead host is noticed within minutes.
    lockDuration: 5 * 60_000,
    stalledInterval: 60_000,
  });
  worker.on('failed', (job, err) => opts.log.warn({ jobId: job?.id, err: err.message }, 'retrain failed'));
  await worker.waitUntilReady();
  return {
    worker,
    async close() {
      await worker.close();
      await connection.quit().catch(() => {});
      if (!opts.composition) await composition.close();
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const config = loadConfig();
  const log = pino({ level: config.logLevel, base: { role: 'retrain-worker', pid: process.pid } });
  startRetrainWorker({ config, log }).then(
    (running) => {
      log.info({ prefix: config.redis.prefix }, 'retrain worker ready');
      const stop = () => void running.close().then(() => process.exit(0));
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    },
    (err) => {
      log.error({ err: err instanceof Error ? err.message : err }, 'retrain worker could not start');
      process.exit(1);
    },
  );
}
