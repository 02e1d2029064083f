/**
 * The worker side of the queues: one BullMQ Worker per queue this process serves, each on its own connection
 * (`maxRetriesPerRequest: null`). `close()` stops taking jobs and waits for the active ones to finish, so a
 * SIGTERM loses nothing; a process that dies instead (SIGKILL, OOM) loses its lock, and BullMQ's stalled-job
 * checker in any other worker moves the job back to wait (after `lockDurationMs` + up to `stalledIntervalMs`).
 * The recovered job runs as a new attempt with the same idempotency key; the killed attempt stays in the audit as
 * started, outcome unknown (action-audit.ts).
 */
import { type Processor, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { TelemetryWriter } from '../telemetry/writer.js';
import { ActionAudit, workerIdentity } from './action-audit.js';
import { actionProcessor } from './action-processor.js';
import { workerConnection } from './connection.js';
import { executorFor } from './executors/index.js';
import type { ActionExecutor } from './executors/types.js';
import type { QueueName } from './names.js';
import type { FleetQueues } from './queues.js';
import { RecommendationStore } from './recommendation-store.js';

export interface QueueWorkersOptions {
  readonly config: Config;
  readonly queues: FleetQueues;
  readonly writer: TelemetryWriter;
  /** The process's recommendation store (src/composition.ts); tests may leave it out and get one on `queues`. */
  readonly store?: RecommendationStore;
  readonly log: Logger;
  /** Defaults to the configured executor. */
  readonly executor?: ActionExecutor;
  /** Processors for other queues (forecast); remediation and rebalancing are built in. */
  readonly processors?: Partial<
    Record<QueueName, { processor: Processor; concurrency: number; lockDurationMs?: number }>
  >;
  /** Which queues to serve. @defaultValue remediation, rebalancing, plus every queue in `processors` */
  readonly serve?: readonly QueueName[];
  /** Lock held by an active job, renewed at half of it while the process lives. @defaultValue 30000 */
  readonly lockDurationMs?: number;
  /** Stalled-job check period. @defaultValue 30000 */
  readonly stalledIntervalMs?: number;
  /** How long an action waits before re-checking unfinished dependencies. @defaultValue 30000 */
  readonly dependencyRetryMs?: number;
  /** How long an action may wait for its dependencies before it fails. @defaultValue 24 h */
  readonly maxDependencyWaitMs?: number;
  /** Worker name stored on each job it processes. @defaultValue host:pid */
  readonly name?: string;
}

export class QueueWorkers {
  readonly workers: Worker[] = [];
  private readonly connections: Redis[] = [];

  constructor(readonly opts: QueueWorkersOptions) {
    const { config, queues, log } = opts;
    const name = opts.name ?? workerIdentity();
    const store = opts.store ?? new RecommendationStore(queues.redis, { keyPrefix: queues.key(), writer: opts.writer });
    const audit = new ActionAudit(queues.redis, opts.writer, queues.key());
    const actions = actionProcessor({
      store,
      audit,
      executor: opts.executor ?? executorFor(config.queue),
      dryRun: config.queue.dryRun,
      log,
      worker: name,
      dependencyRetryMs: opts.dependencyRetryMs,
      maxDependencyWaitMs: opts.maxDependencyWaitMs,
    });
    const table: Partial<Record<QueueName, { processor: Processor; concurrency: number; lockDurationMs?: number }>> = {
      remediation: { processor: actions, concurrency: config.queue.remediationConcurrency },
      rebalancing: { processor: actions, concurrency: config.queue.remediationConcurrency },
      ...opts.processors,
    };
    const serve = opts.serve ?? (Object.keys(table) as QueueName[]);
    for (const q of serve) {
      const entry = table[q];
      if (!entry) throw new Error(`no processor for queue ${q}`);
      const connection = workerConnection(config.redis);
      this.connections.push(connection);
      const worker = new Worker(q, entry.processor, {
        connection,
        prefix: queues.prefix,
        name,
        concurrency: entry.concurrency,
        lockDuration: entry.lockDurationMs ?? opts.lockDurationMs ?? 30_000,
        stalledInterval: opts.stalledIntervalMs ?? 30_000,
        maxStalledCount: 2,
      });
      worker.on('failed', (job, err) =>
        log.warn({ queue: q, jobId: job?.id, attemptsMade: job?.attemptsMade, err: err.message }, 'job failed'),
      );
      worker.on('error', (err) => log.error({ queue: q, err: err.message }, 'worker error'));
      worker.on('stalled', (jobId) => log.warn({ queue: q, jobId }, 'job stalled; moved back to wait'));
      this.workers.push(worker);
    }
  }

  async waitUntilReady(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
  }

  /** Stop taking jobs; resolve when every active job has finished. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all(this.connections.map((c) => c.quit().catch(() => {})));
  }
}
