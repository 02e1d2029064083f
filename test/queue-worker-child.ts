/**
 * A worker PROCESS for the queue tests (forked with `--import tsx`): the product's QueueWorkers on the test's
 * prefix, with an executor that reports over IPC when it starts an action, so the test can SIGKILL it mid-job.
 * Env: FSQ_PREFIX, FSQ_DELAY_MS (executor run time), FSQ_MODE=normal|hang-after-audit (hang after the audit row
 * is durable and before the job completes: the hardest moment to die)|product (the configured executor, e.g.
 * REMEDIATION_EXECUTOR=webhook with its URL and secret, instead of the reporting one).
 */
import { Worker } from 'bullmq';
import { ActionAudit, workerIdentity } from '../src/queue/action-audit.js';
import { actionProcessor } from '../src/queue/action-processor.js';
import { workerConnection } from '../src/queue/connection.js';
import type { ActionExecutor } from '../src/queue/executors/types.js';
import { FleetQueues } from '../src/queue/queues.js';
import { type RecommendationStatus, RecommendationStore } from '../src/queue/recommendation-store.js';
import { QueueWorkers } from '../src/queue/workers.js';
import { TelemetryWriter } from '../src/telemetry/writer.js';
import { testConfig } from './helpers.js';
import { silentLog } from './queue-fixtures.js';

const send = (m: Record<string, unknown>) => process.send?.({ pid: process.pid, ...m });
const delayMs = Number(process.env.FSQ_DELAY_MS ?? 0);
const config = testConfig({ QUEUE_PREFIX: process.env.FSQ_PREFIX ?? 'missing', LOG_LEVEL: 'silent' });
const queues = new FleetQueues(config);
const writer = await TelemetryWriter.connect(config.questdb);

const executor: ActionExecutor = {
  name: 'test-dry-run',
  async execute(action, ctx) {
    send({ type: 'executing', actionId: action.id, attempt: ctx.attempt });
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    return { result: 'dry-run', detail: `would ${action.type} ${action.target.id}` };
  },
};

let close: () => Promise<void>;
if (process.env.FSQ_MODE === 'hang-after-audit') {
  class HangingStore extends RecommendationStore {
    override async transition(...args: Parameters<RecommendationStore['transition']>) {
      const to: RecommendationStatus = args[2];
      if (to === 'executed') {
        send({ type: 'audited', actionId: args[0] });
        await new Promise(() => {}); // never completes: the test kills us here
      }
      return super.transition(...args);
    }
  }
  const store = new HangingStore(queues.redis, { keyPrefix: queues.key(), writer });
  const processor = actionProcessor({
    store,
    audit: new ActionAudit(queues.redis, writer, queues.key()),
    executor,
    dryRun: true,
    log: silentLog,
  });
  const worker = new Worker('remediation', processor, {
    connection: workerConnection(config.redis),
    prefix: queues.prefix,
    name: workerIdentity(),
    lockDuration: 1_000,
    stalledInterval: 500,
  });
  await worker.waitUntilReady();
  close = () => worker.close();
} else {
  const workers = new QueueWorkers({
    config,
    queues,
    writer,
    log: silentLog,
    executor: process.env.FSQ_MODE === 'product' ? undefined : executor,
    serve: ['remediation'],
    lockDurationMs: 1_000,
    stalledIntervalMs: 500,
  });
  await workers.waitUntilReady();
  close = () => workers.close();
}

process.on('SIGTERM', async () => {
  await close();
  await writer.close();
  await queues.close();
  send({ type: 'closed' });
  process.exit(0);
});
send({ type: 'ready' });
