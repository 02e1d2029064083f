/**
 * Queue bench, in one run on the local Redis and QuestDB:
 *  (a) jobs/s of a bare BullMQ producer (addBulk) + no-op worker;
 *  (a') the same with the two durable audit rows per job and nothing else: the floor the audit's guarantees set;
 *  (b) jobs/s of the product's remediation path: dispatcher.submit (store create, transition, add with the action
 *      id as jobId) → QueueWorkers → action processor → dry-run executor → completion marker → durable audit row in
 *      QuestDB → store transition; at the default concurrency and at a higher one;
 *  (c) detection latency: a fault's first anomalous sample (XID 92, a warning the policy acts on without approval) written durably to QuestDB →
 *      its action enqueued by the scheduled forecast (run every second here; in production add up to
 *      FORECAST_EVERY_MINUTES of waiting for the next slot). Measured as job.timestamp − write acknowledgement.
 * Every candidate uses its own queue prefix, removed afterwards.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { type Job, type Queue, Worker } from 'bullmq';
import pino from 'pino';
import { type Config, loadConfig } from '../../src/config.js';
import { forecastProcessor, scheduleForecasts } from '../../src/forecast/jobs.js';
import { workerConnection } from '../../src/queue/connection.js';
import { RemediationDispatcher } from '../../src/queue/dispatcher.js';
import { DryRunExecutor } from '../../src/queue/executors/dry-run.js';
import { SafetySwitches } from '../../src/queue/policy-state.js';
import { FleetQueues } from '../../src/queue/queues.js';
import { RecommendationStore } from '../../src/queue/recommendation-store.js';
import { QueueWorkers } from '../../src/queue/workers.js';
import type { RecommendedAction } from '../../src/recommend/types.js';
import { migrate } from '../../src/telemetry/migrate.js';
import { TelemetryReader } from '../../src/telemetry/reader.js';
import { type TableRow, TelemetryWriter } from '../../src/telemetry/writer.js';
import type { BenchContext, BenchReport } from './types.js';

const log = pino({ level: 'silent' });
/** Actions per dispatcher.submit: one forecast run's decisions for a shard of the fleet. */
const ACTIONS_PER_SUBMIT = 50;
const tag = () => randomUUID().slice(0, 8);

async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number, intervalMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`bench condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** jobs/s of bare BullMQ: `jobs` added with addBulk, `processor` run on each at `concurrency`, until all complete. */
async function bareBullmq(
  config: Config,
  concurrency: number,
  jobs: number,
  processor: (job: Job) => Promise<unknown> = async () => undefined,
): Promise<number> {
  const prefix = `bench-bare-${tag()}`;
  const queues = new FleetQueues(config, { prefix });
  let done = 0;
  const worker = new Worker('remediation', processor, {
    connection: workerConnection(config.redis),
    prefix,
    concurrency,
  });
  worker.on('completed', () => done++);
  await worker.waitUntilReady();
  const queue: Queue = queues.remediation;
  const started = performance.now();
  for (let i = 0; i < jobs; i += 500) {
    const n = Math.min(500, jobs - i);
    await queue.addBulk(
      Array.from({ length: n }, (_, k) => ({ name: 'bare', data: { i: i + k }, opts: { jobId: `j${i + k}` } })),
    );
  }
  await waitUntil(async () => done >= jobs, 300_000, 5);
  const seconds = (performance.now() - started) / 1000;
  await worker.close();
  await queues.obliterate();
  await queues.close();
  return jobs / seconds;
}

/**
 * The floor the audit's guarantees set: bare BullMQ whose no-op worker writes the two durable audit rows of an
 * attempt (started before the side effect, the outcome after it, group-committed through the product's writer),
 * and nothing else. The product path's ratio to this candidate is its own overhead; this one's ratio to bare
 * BullMQ is QuestDB's commit latency.
 */
function bareWithDurableAudit(
  config: Config,
  writer: TelemetryWriter,
  concurrency: number,
  jobs: number,
): Promise<number> {
  const run = tag();
  // A private stretch of time (a random day in the 2060s): these rows meet no other test's or run's.
  const day = Date.UTC(2060, 0, 1) + Math.floor(Math.random() * 3_000) * 86_400_000;
  const row = (i: number, result: string, finished?: number): TableRow => ({
    ts: day + i,
    symbols: { action_id: `bench-${run}-${i}`, type: 'drain_node', result, executor: 'bench', worker: 'bench' },
    timestamps: finished === undefined ? { started: day } : { started: day, finished },
    longs: { attempt: 1, dry_run: 1 },
  });
  return bareBullmq(config, concurrency, jobs, async (job) => {
    const i = job.data.i as number;
    await writer.writeDurable('remediation_actions', [row(i, 'started')]);
    await writer.writeDurable('remediation_actions', [row(i, 'dry-run', Date.now())]);
  });
}

function action(i: number, run: string): RecommendedAction {
  const node = `bench-${run}-n${i}`;
  return {
    id: `act_b${run}${i}`,
    type: 'drain_node',
    target: { kind: 'node', id: node, cluster: `bench-${run}`, rack: 'r0', node },
    severity: 'warning',
    confidence: 0.9,
    expectedBenefit: { summary: 'bench' },
    reason: 'bench',
    evidence: { kind: 'xid', key: `bench:${i}`, devices: [`${node}/0`] },
    params: {},
    dependsOn: [],
    requiresApproval: false,
    status: 'proposed',
    dryRun: true,
  };
}

async function productPath(
  config: Config,
  writer: TelemetryWriter,
  concurrency: number,
  jobs: number,
): Promise<{ submitPerS: number; endToEndPerS: number }> {
  const run = tag();
  const cfg: Config = { ...config, queue: { ...config.queue, remediationConcurrency: concurrency } };
  const queues = new FleetQueues(cfg, { prefix: `bench-product-${run}` });
  const store = new RecommendationStore(queues.redis, { keyPrefix: queues.key(), writer });
  const dispatcher = new RemediationDispatcher(queues, store);
  const workers = new QueueWorkers({
    config: cfg,
    queues,
    writer,
    log,
    executor: new DryRunExecutor(),
    serve: ['remediation'],
  });
  await workers.waitUntilReady();
  // Count completions from the workers' events (the completed set is capped by the retention setting).
  let done = 0;
  for (const w of workers.workers) w.on('completed', () => done++);
  const actions = Array.from({ length: jobs }, (_, i) => action(i, run));
  const started = performance.now();
  // Several producers, as several forecast shards would be, each submitting its decisions a run at a time.
  const producers = 4;
  await Promise.all(
    Array.from({ length: producers }, async (_, p) => {
      const mine = actions.filter((_, i) => i % producers === p);
      for (let i = 0; i < mine.length; i += ACTIONS_PER_SUBMIT)
        await dispatcher.submit({ actions: mine.slice(i, i + ACTIONS_PER_SUBMIT) });
    }),
  );
  const submitSeconds = (performance.now() - started) / 1000;
  await waitUntil(async () => done >= jobs, 600_000, 10);
  const seconds = (performance.now() - started) / 1000;
  await workers.close();
  await queues.obliterate();
  await queues.close();
  return { submitPerS: jobs / submitSeconds, endToEndPerS: jobs / seconds };
}

async function detectionLatency(
  config: Config,
  reader: TelemetryReader,
  writer: TelemetryWriter,
  latencyReps: number,
): Promise<number[]> {
  const run = tag();
  const queues = new FleetQueues(config, { prefix: `bench-latency-${run}` });
  const store = new RecommendationStore(queues.redis, { keyPrefix: queues.key(), writer });
  // A private stretch of time (a random day in the 2050s), so the runs see only this bench's telemetry.
  const offset = Date.UTC(2050, 0, 1) + Math.floor(Math.random() * 3_000) * 86_400_000 - Date.now();
  const clock = () => Date.now() + offset;
  const forecast = forecastProcessor({
    reader,
    writer,
    queues,
    dispatcher: new RemediationDispatcher(queues, store),
    safety: new SafetySwitches(queues.redis, queues.key()),
    dryRun: true,
    log,
    clock,
  });
  const workers = new QueueWorkers({
    config,
    queues,
    writer,
    log,
    processors: { forecast: { processor: forecast, concurrency: 2 } },
    serve: ['forecast'],
  });
  await workers.waitUntilReady();
  const latencies: number[] = [];
  const cluster = `bl-${run}`;
  const row = (node: string, ts: number, xid: number) => ({
    ts,
    symbols: { cluster, rack: `${cluster}-r0`, node, gpu: '0', gpu_model: 'H100' },
    values: { gpu_temp_c: 60, power_w: 400, gpu_util: 90, xid_count: xid ? 1 : 0, xid_last: xid },
  });
  // Healthy history for every device first, then the schedule starts.
  const nodes = Array.from({ length: latencyReps }, (_, i) => `${cluster}-n${i}`);
  await writer.write(
    'gpu_metrics',
    nodes.flatMap((n) => [1, 2, 3].map((k) => row(n, clock() - k * 10_000, 0))),
  );
  await writer.flush();
  await scheduleForecasts(queues, 1_000, 86_400_000);
  for (const node of nodes) {
    await writer.write('gpu_metrics', [row(node, clock(), 92)]);
    await writer.flush();
    const acked = Date.now();
    let jobAdded = 0;
    await waitUntil(
      async () => {
        const rec = (await store.list({ target: node })).filter((r) => r.status !== 'suppressed');
        if (rec.length === 0) return false;
        const job = await queues.get('remediation').getJob(rec[0].id);
        jobAdded = job?.timestamp ?? 0;
        return jobAdded > 0;
      },
      60_000,
      25,
    );
    latencies.push(jobAdded - acked);
  }
  await queues.forecast.removeJobScheduler('forecast-fleet');
  await workers.close();
  await forecast.close();
  await queues.obliterate();
  await queues.close();
  return latencies;
}

export async function run({ sizes }: BenchContext): Promise<BenchReport> {
  const jobs = sizes.queueJobs;
  const latencyReps = sizes.queueLatencyReps;
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const reader = TelemetryReader.connect(config.questdb);
  await migrate(reader);
  const writer = await TelemetryWriter.connect(config.questdb);
  const c = config.queue.remediationConcurrency;
  const rows: Record<string, string | number>[] = [];
  let ratios: Record<string, string> = {};
  try {
    ratios = {};
    // Side by side at each concurrency: the bare engine, then the product path on the same Redis.
    for (const conc of [c, 32]) {
      const bare = await bareBullmq(config, conc, jobs);
      rows.push({ candidate: 'bare BullMQ (addBulk + no-op worker)', concurrency: conc, 'jobs/s': Math.round(bare) });
      const floor = await bareWithDurableAudit(config, writer, conc, jobs);
      rows.push({
        candidate: "bare BullMQ + the 2 durable audit rows per job (the guarantees' floor)",
        concurrency: conc,
        'jobs/s': Math.round(floor),
      });
      const p = await productPath(config, writer, conc, jobs);
      rows.push({
        candidate: 'product remediation path (dry-run + audit)',
        concurrency: conc,
        'jobs/s': Math.round(p.endToEndPerS),
        'submit/s': Math.round(p.submitPerS),
      });
      ratios[`product / bare BullMQ at concurrency ${conc}`] =
        `${(p.endToEndPerS / bare).toFixed(2)}${conc === 32 ? ' (target >= 0.5)' : ''}`;
      ratios[`floor (bare + durable audit) / bare BullMQ at concurrency ${conc}`] = (floor / bare).toFixed(2);
      ratios[`product / floor at concurrency ${conc}`] = (p.endToEndPerS / floor).toFixed(2);
    }
    const lat = (await detectionLatency(config, reader, writer, latencyReps)).sort((a, b) => a - b);
    rows.push({
      candidate: 'sample in QuestDB → action enqueued (forecast every 1 s)',
      'latency ms p50': lat[Math.floor(lat.length / 2)],
      'latency ms max': lat[lat.length - 1],
      reps: lat.length,
    });
  } finally {
    await writer.close();
    await reader.close();
  }
  return {
    suite: 'queue',
    method:
      `${jobs} jobs per throughput candidate, each on its own queue prefix; jobs/s = jobs / (first add → last ` +
      'completion). The product path: 4 producers (forecast shards) each calling dispatcher.submit with ' +
      `${ACTIONS_PER_SUBMIT} actions at a time (creates as queued in one pipelined round trip, one addBulk, history rows ` +
      'buffered), then in the worker one start script (record + completion marker + attempt number), the durable ' +
      '`started` audit row, the dry-run, the completion marker, then the durable outcome row and the final ' +
      'transition at once (audit rows group-committed across concurrent jobs through the shared writer). The ' +
      'floor: bare BullMQ whose worker writes only the two durable audit rows. Latency: a healthy device history, then ' +
      `one XID 92 sample per rep written and acknowledged; latency = the remediation job's creation time − the ` +
      `acknowledgement, with the forecast scheduled every 1 s (${latencyReps} reps).`,
    rows,
    summary: { ...ratios, 'load average (1 min) at end': os.loadavg()[0].toFixed(1) },
  };
}
