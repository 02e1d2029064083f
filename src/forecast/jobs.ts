/**
 * Scheduled batch forecasts. A job scheduler adds a `forecast-tick` every `everyMs`; the tick takes the run lock
 * for its time slot (a run still going makes the next tick skip, so runs never overlap), finds the clusters that
 * reported recently and adds one flow: a `forecast-summary` parent with one `forecast-shard` child per cluster
 * (jobIds carry the slot, so a repeated tick adds nothing). Shards spread over every forecast worker; the summary
 * runs when they are all done, logs the run's size and duration, and releases the lock. A `drift-check` scheduler
 * compares each anomaly model's recent scores with its reference period and enqueues retraining on drift.
 */
import { FlowProducer, type Job, UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import type { ForecastShardData } from '../queue/names.js';
import type { FleetQueues } from '../queue/queues.js';
import { checkDrift, type DriftResult, RETRAIN_DEFAULTS, type RetrainOptions } from '../queue/retrain.js';
import { activeClusters } from './evidence.js';
import { runShard, type ShardDeps, type ShardResult } from './shard.js';

export const FORECAST_SCHEDULER_ID = 'forecast-fleet';
export const DRIFT_SCHEDULER_ID = 'drift-check';

export interface TickData {
  /** Run period; the slot is `now` rounded down to it. */
  readonly everyMs: number;
  /** Fixed slot (backfill, tests); else from the clock. */
  readonly slot?: number;
}

interface SummaryData {
  readonly slot: number;
  readonly startedAt: number;
  readonly shards: number;
  readonly lockKey: string;
}

export interface ForecastDeps extends ShardDeps {
  readonly queues: FleetQueues;
  /** Injected clock (tests place "now" in their own time range). @defaultValue Date.now */
  readonly clock?: () => number;
  readonly retrain?: RetrainOptions;
}

/** Create or update the schedulers: the forecast every `everyMs`, the drift check hourly. */
export async function scheduleForecasts(queues: FleetQueues, everyMs: number, driftEveryMs = 3_600_000): Promise<void> {
  await queues.forecast.upsertJobScheduler(
    FORECAST_SCHEDULER_ID,
    { every: everyMs },
    { name: 'forecast-tick', data: { everyMs } satisfies TickData },
  );
  await queues.forecast.upsertJobScheduler(
    DRIFT_SCHEDULER_ID,
    { every: driftEveryMs },
    { name: 'drift-check', data: {} },
  );
}

export function forecastProcessor(deps: ForecastDeps) {
  const clock = deps.clock ?? Date.now;
  const flows = new FlowProducer({ connection: deps.queues.redis, prefix: deps.queues.prefix });
  const log: Logger = deps.log;

  async function tick(job: Job<TickData>) {
    const everyMs = job.data?.everyMs;
    if (!(typeof everyMs === 'number' && everyMs >= 1_000))
      throw new UnrecoverableError('forecast-tick needs everyMs >= 1000');
    const slot = job.data.slot ?? Math.floor(clock() / everyMs) * everyMs;
    const lockKey = deps.queues.key('forecast', 'running');
    // The lock bounds a stuck run: after its TTL the next tick may start a new one.
    const ttl = Math.min(3_600_000, Math.max(30_000, everyMs * 10));
    if ((await deps.queues.redis.set(lockKey, String(slot), 'PX', ttl, 'NX')) !== 'OK') {
      const running = await deps.queues.redis.get(lockKey);
      log.warn({ slot, running }, 'forecast run skipped: the previous run is still going');
      return { slot, skipped: true };
    }
    try {
      const policyLookback = 3_600_000;
      const clusters = await activeClusters(deps.reader, slot - policyLookback, slot);
      await flows.add({
        name: 'forecast-summary',
        queueName: 'forecast',
        data: { slot, startedAt: Date.now(), shards: clusters.length, lockKey } satisfies SummaryData,
        opts: { jobId: `forecast-run-${slot}` },
        children: clusters.map((cluster) => ({
          name: 'forecast-shard',
          queueName: 'forecast',
          data: { slot, cluster } satisfies ForecastShardData,
          // A failed shard must not hold the run (and its lock) forever: the summary runs without it.
          opts: { jobId: `forecast-shard-${slot}-${cluster}`, ignoreDependencyOnFailure: true, attempts: 3 },
        })),
      });
      log.info({ slot, shards: clusters.length }, 'forecast run started');
      return { slot, shards: clusters.length };
    } catch (err) {
      await deps.queues.redis.del(lockKey);
      throw err;
    }
  }

  async function summary(job: Job<SummaryData>) {
    const values = Object.values(await job.getChildrenValues<ShardResult>());
    const total = {
      slot: job.data.slot,
      shards: job.data.shards,
      shardsDone: values.length,
      devices: values.reduce((n, v) => n + v.devices, 0),
      queued: values.reduce((n, v) => n + v.actions.queued, 0),
      duplicates: values.reduce((n, v) => n + v.actions.duplicates, 0),
      superseded: values.reduce((n, v) => n + v.actions.superseded, 0),
      durationMs: Date.now() - job.data.startedAt,
    };
    log.info(total, 'forecast run done');
    // Release only our own lock (a stuck run's lock may have expired and been taken by a newer one).
    if ((await deps.queues.redis.get(job.data.lockKey)) === String(job.data.slot)) {
      await deps.queues.redis.del(job.data.lockKey);
    }
    return total;
  }

  async function drift(): Promise<DriftResult[]> {
    const models = deps.inference?.models().filter((m) => m.family === 'anomaly') ?? [];
    const out: DriftResult[] = [];
    for (const m of models) {
      const r = await checkDrift(
        deps.reader,
        deps.queues,
        { name: m.name, version: m.activeVersion },
        clock(),
        deps.retrain ?? RETRAIN_DEFAULTS,
      );
      log.info(r, r.drifted ? 'score drift: retrain enqueued' : 'no score drift');
      out.push(r);
    }
    return out;
  }

  const processor = async (job: Job) => {
    switch (job.name) {
      case 'forecast-tick':
        return tick(job as Job<TickData>);
      case 'forecast-summary':
        return summary(job as Job<SummaryData>);
      case 'forecast-shard': {
        const data = job.data as ForecastShardData;
        if (typeof data?.cluster !== 'string' || !Number.isFinite(data?.slot)) {
          throw new UnrecoverableError('forecast-shard needs {cluster, slot}');
        }
        await job.updateProgress(5);
        return runShard(deps, data);
      }
      case 'drift-check':
        return drift();
      default:
        throw new UnrecoverableError(`unknown forecast job "${job.name}"`);
    }
  };
  return Object.assign(processor, { close: () => flows.close() });
}
