/**
 * The queue roles for src/main.ts, on the process's one composition (src/composition.ts): `worker` (remediation,
 * rebalancing and forecast workers) and `scheduler` (creates or updates the job schedulers, then keeps them in
 * place; BullMQ keeps the schedules in Redis, so any number of these can start). The retrain role is
 * src/queue/retrain-worker.ts (it runs training code only as child processes).
 */
import pino, { type Logger } from 'pino';
import type { Composition } from '../composition.js';
import type { Config } from '../config.js';
import { FORECAST_SCHEDULER_ID, forecastProcessor, scheduleForecasts } from '../forecast/jobs.js';
import { ModelStore } from '../inference/model-store.js';
import { definePolicy, type PolicyConfig } from '../recommend/index.js';
import { subscribePromotions } from './model-events.js';
import { RETRAIN_DEFAULTS, scheduleRetrain } from './retrain.js';
import { QueueWorkers } from './workers.js';

export interface Stoppable {
  close(): Promise<unknown>;
}

export function queueLogger(config: Config, role: string): Logger {
  return pino({ level: config.logLevel, base: { role, pid: process.pid } });
}

/**
 * The policy the forecasts run: the defaults, with the operator's fault threshold override when
 * POLICY_FAULT_ACT_PROBABILITY is set (else each fault model's own threshold applies), and the repeat-offender
 * settings (REPEAT_OFFENDER_INCIDENTS within REPEAT_OFFENDER_WINDOW_DAYS).
 */
export function policyFor(config: Config): PolicyConfig {
  const { faultActProbability: act, repeatOffenderIncidents, repeatOffenderWindowDays } = config.policy;
  return definePolicy({
    ...(act === undefined ? {} : { fault: { actProbability: act } }),
    repeatOffender: { incidents: repeatOffenderIncidents, windowMs: repeatOffenderWindowDays * 86_400_000 },
  });
}

/**
 * The worker role: remediation + rebalancing + forecast workers on the process's composition. `close()` finishes
 * active jobs first; the composition's resources are released by whoever opened it.
 */
export async function startWorkerRole(c: Composition, log: Logger): Promise<Stoppable> {
  const { config, reader, writer, queues } = c;
  const inference = await c.inference().catch((err) => {
    log.warn({ err: err instanceof Error ? err.message : err }, 'inference unavailable: forecasts run model-free');
    return undefined;
  });
  const forecast = forecastProcessor({
    reader,
    writer,
    queues,
    inference,
    dispatcher: c.dispatcher,
    safety: c.safety,
    policy: policyFor(config),
    dryRun: config.queue.dryRun,
    log,
  });
  const workers = new QueueWorkers({
    config,
    queues,
    writer,
    store: c.store,
    log,
    // A shard scores a whole cluster: its lock must outlive a slow one between renewals.
    processors: {
      forecast: { processor: forecast, concurrency: config.queue.forecastConcurrency, lockDurationMs: 120_000 },
    },
  });
  await workers.waitUntilReady();
  // Promotions arrive at once by pub/sub; the inference service's own sync (every 10 s) is the floor that also
  // picks up new models and a message this process missed. (An API in the same process shares the service and
  // subscribes too: a second promote of the active version is a no-op.)
  const unsubscribe = inference
    ? await subscribePromotions(config.redis, queues.prefix, log, (p) => inference.promote(p.model, p.version))
    : async () => {};
  log.info({ queues: workers.workers.map((w) => w.name), prefix: queues.prefix }, 'workers ready');
  return {
    async close() {
      await unsubscribe();
      await workers.close();
      await forecast.close();
    },
  };
}

/**
 * The scheduler role: forecast every FORECAST_EVERY_MINUTES, drift check hourly, retrain each model daily. The
 * schedulers live in Redis; if Redis comes back without them (restarted without persistence, or flushed), they are
 * put back: on every reconnect, and by a check every `recheckMs` that finds the forecast scheduler missing.
 */
export async function startSchedulerRole(c: Composition, log: Logger, recheckMs = 30_000): Promise<Stoppable> {
  const { config, queues } = c;
  const everyMs = config.queue.forecastEveryMinutes * 60_000;
  const assertSchedulers = async (why: string) => {
    await scheduleForecasts(queues, everyMs);
    const models = await new ModelStore(config.models.dir).names();
    for (const m of models) await scheduleRetrain(queues, m, RETRAIN_DEFAULTS.everyMs);
    log.info({ everyMs, retrain: models, why }, 'job schedulers in place');
  };
  await assertSchedulers('start');
  const reassert = (why: string) =>
    assertSchedulers(why).catch((err) =>
      log.warn({ err: (err as Error).message, why }, 'could not put schedulers back'),
    );
  const onReady = () => void reassert('redis reconnected');
  queues.redis.on('ready', onReady);
  const recheck = setInterval(() => {
    queues.forecast
      .getJobScheduler(FORECAST_SCHEDULER_ID)
      .then((s) => (s ? undefined : reassert('forecast scheduler missing')))
      .catch(() => {}); // Redis away: the reconnect handler puts them back
  }, recheckMs);
  recheck.unref();
  return {
    close: async () => {
      clearInterval(recheck);
      queues.redis.off('ready', onReady);
    },
  };
}
