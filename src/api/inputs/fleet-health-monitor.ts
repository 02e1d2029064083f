/**
 * The fleet health score as a running process sees it: computed on demand with a short cache (several Prometheus
 * scrapes and API calls within `maxAgeMs` share one computation, and concurrent callers share the one in flight),
 * and recorded to QuestDB `fleet_health` (migration 009) every `recordEveryMs` so two periods can be compared.
 * Recording slots are `now` floored to the interval: API replicas recording the same slot write the same row keys
 * and QuestDB's dedup keeps one.
 */
import { type FleetScore, fleetScore, type HealthScore } from '../../health/fleet-score.js';
import type { GpuHealth } from '../../health/gpu-state.js';
import { HEALTH_STATES } from '../../health/health-policy.js';
import type { TableRow, TelemetryWriter } from '../../telemetry/writer.js';

export interface FleetSnapshot {
  readonly at: number;
  readonly score: FleetScore;
}

export interface FleetHealthMonitorOptions {
  /** The whole fleet's health at `at` (src/api/inputs/health-evidence.ts). */
  readonly compute: (at: number) => Promise<readonly GpuHealth[]>;
  readonly writer: Pick<TelemetryWriter, 'writeDurable'>;
  readonly log: { warn(obj: object, msg: string): void };
  /** 0: never record. */
  readonly recordEveryMs: number;
  /** @defaultValue 15 s */
  readonly maxAgeMs?: number;
}

export class FleetHealthMonitor {
  private cached?: FleetSnapshot;
  private inFlight?: Promise<FleetSnapshot>;
  private timer?: NodeJS.Timeout;

  constructor(private readonly opts: FleetHealthMonitorOptions) {}

  /** The fleet's score now, at most `maxAgeMs` old. */
  async current(now = Date.now()): Promise<FleetSnapshot> {
    if (this.cached && now - this.cached.at <= (this.opts.maxAgeMs ?? 15_000)) return this.cached;
    if (!this.inFlight) {
      this.inFlight = this.snapshot(now)
        .then((snap) => {
          this.cached = snap;
          return snap;
        })
        .finally(() => {
          this.inFlight = undefined;
        });
    }
    return this.inFlight;
  }

  /** The score as of `at`, computed now (not cached: `at` may be any past time). */
  async snapshot(at: number): Promise<FleetSnapshot> {
    const gpus = await this.opts.compute(at);
    return { at, score: fleetScore(gpus.map((g) => ({ cluster: g.identity.cluster, state: g.state }))) };
  }

  /** Record the score of the slot `now` falls in; returns what was written. */
  async record(now = Date.now()): Promise<FleetSnapshot> {
    const every = this.opts.recordEveryMs || 60_000;
    const slot = Math.floor(now / every) * every;
    const snap = await this.snapshot(slot);
    await this.opts.writer.writeDurable('fleet_health', fleetHealthRows(snap));
    return snap;
  }

  start(): void {
    if (this.opts.recordEveryMs <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      this.record().catch((err: Error) => this.opts.log.warn({ err: err.message }, 'fleet health not recorded'));
    }, this.opts.recordEveryMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

export function fleetHealthRows(snap: FleetSnapshot): TableRow[] {
  const row = (scope: string, cluster: string, s: HealthScore): TableRow => ({
    ts: snap.at,
    symbols: { scope, cluster },
    doubles: s.score === null ? {} : { score: s.score },
    longs: { gpus: s.gpus, ...Object.fromEntries(HEALTH_STATES.map((st) => [st, s.states[st]])) },
  });
  return [row('fleet', '*', snap.score.fleet), ...snap.score.clusters.map((c) => row('cluster', c.cluster, c))];
}
