/**
 * Gauges on the app's /metrics registry that the shipped alerts (ops/prometheus/alerts.yml) need and no other
 * plugin exports: the fleet health score (fleet and per cluster) and GPUs per state, the circuit breaker, the last
 * completed forecast shard, and whether QuestDB and Redis answer. Each is read when Prometheus scrapes; a failed
 * read leaves that gauge out of the scrape (or reports the dependency down) instead of failing /metrics.
 */
import type { FastifyInstance } from 'fastify';
import { Gauge } from 'prom-client';
import { HEALTH_STATES } from '../../health/health-policy.js';
import { withTimeout } from '../../timeout.js';
import type { FleetHealthMonitor } from './fleet-health-monitor.js';

const DEPENDENCY_TIMEOUT_MS = 2_000;
/** A scrape must not hang on a slow fleet computation (QuestDB stalled): the score is left out instead. */
const SCORE_TIMEOUT_MS = 5_000;

/** `p`'s value, or undefined when it fails or takes longer than `ms`. */
function within<T>(p: Promise<T>, ms: number, onError: (err: unknown) => void): Promise<T | undefined> {
  return withTimeout(p, ms).catch((err: unknown) => {
    onError(err);
    return undefined;
  });
}

export function registerOpsGauges(app: FastifyInstance, monitor: FleetHealthMonitor): void {
  const registers = [app.metrics];
  const warn = (what: string) => (err: unknown) =>
    app.log.warn({ err: err instanceof Error ? err.message : String(err) }, `${what} not read for /metrics`);

  const cluster = new Gauge({
    name: 'fleetsense_cluster_health_score',
    help: 'Fleet health score of one cluster: weighted share of its GPUs healthy and available (0..1, README)',
    labelNames: ['cluster'] as const,
    registers,
  });
  const gpus = new Gauge({
    name: 'fleetsense_gpus',
    help: 'GPUs in the fleet by health state',
    labelNames: ['state'] as const,
    registers,
  });
  new Gauge({
    name: 'fleetsense_fleet_health_score',
    help: 'Fleet health score: weighted share of GPU capacity healthy and available (0..1, README "GPU health")',
    registers,
    async collect() {
      this.reset();
      cluster.reset();
      gpus.reset();
      const snap = await within(monitor.current(), SCORE_TIMEOUT_MS, warn('fleet health score'));
      if (!snap) return;
      if (snap.score.fleet.score !== null) this.set(snap.score.fleet.score);
      for (const c of snap.score.clusters) if (c.score !== null) cluster.set({ cluster: c.cluster }, c.score);
      for (const s of HEALTH_STATES) gpus.set({ state: s }, snap.score.fleet.states[s]);
    },
  });

  new Gauge({
    name: 'fleetsense_circuit_breaker_tripped',
    help: '1 while the remediation circuit breaker is open (only informing actions pass)',
    registers,
    async collect() {
      this.reset();
      const b = await within(app.safety.breaker(), DEPENDENCY_TIMEOUT_MS, warn('circuit breaker'));
      if (b) this.set(b.tripped ? 1 : 0);
    },
  });

  new Gauge({
    name: 'fleetsense_forecast_last_completed_timestamp_seconds',
    help: 'When the newest forecast shard job completed (unix seconds; absent before the first)',
    registers,
    async collect() {
      this.reset();
      const jobs = app.queues.forecast.getJobs(['completed'], 0, 0, false);
      const [job] = (await within(jobs, DEPENDENCY_TIMEOUT_MS, warn('forecast jobs'))) ?? [];
      if (job?.finishedOn) this.set(job.finishedOn / 1000);
    },
  });

  new Gauge({
    name: 'fleetsense_dependency_up',
    help: '1 when the dependency answers a trivial command within 2 s, else 0',
    labelNames: ['dependency'] as const,
    registers,
    async collect() {
      const quiet = () => {};
      const [questdb, redis] = await Promise.all([
        within(app.reader.ping(), DEPENDENCY_TIMEOUT_MS, quiet),
        within(app.redis.ping(), DEPENDENCY_TIMEOUT_MS, quiet),
      ]);
      this.set({ dependency: 'questdb' }, questdb === true ? 1 : 0);
      this.set({ dependency: 'redis' }, redis === 'PONG' ? 1 : 0);
    },
  });
}
