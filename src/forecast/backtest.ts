/**
 * Backtest: replay exactly the live path (reader → features → models → outputs module → policy → dispatcher) over
 * history in QuestDB at the forecast cadence, with nothing executed, and score its recommendations against the
 * fault labels (scorecard.ts).
 *
 * How "nothing executed" holds while the path stays the live one: the replay dispatches into a queue namespace of
 * its own (`<QUEUE_PREFIX>-backtest-<id>`) that no worker serves, in dry-run, with a recommendation store that
 * writes no history to QuestDB; shards run with `store: false`, so no score the live forecast wrote is replaced.
 * Dedup, cooldowns, blast radius and the breaker work as live, from that namespace's own records. The namespace is
 * removed at the end. Opt-outs and maintenance windows are the live ones, as they stood at each slot.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Composition } from '../composition.js';
import { RemediationDispatcher } from '../queue/dispatcher.js';
import { SafetySwitches } from '../queue/policy-state.js';
import { FleetQueues } from '../queue/queues.js';
import { RecommendationStore } from '../queue/recommendation-store.js';
import type { PolicyConfig } from '../recommend/index.js';
import type { FaultLabel } from '../telemetry/catalogue.js';
import { activeClusters } from '../telemetry/queries/gpu-evidence.js';
import { type GroundTruthLabel, type Scorecard, type ScoredRecommendation, scorecard } from './scorecard.js';
import type { ScoringService } from './scoring.js';
import { runShard } from './shard.js';

export interface BacktestOptions {
  readonly from: number;
  readonly to: number;
  readonly stepMs: number;
  readonly cluster?: string;
  /** How far ahead a recommendation may come and still count for a fault; default: the fault model's horizon. */
  readonly horizonMs?: number;
  readonly policy?: PolicyConfig;
}

export interface BacktestResult {
  readonly scorecard: Scorecard;
  readonly recommendations: readonly ScoredRecommendation[];
  readonly labels: readonly GroundTruthLabel[];
  readonly slots: number;
  readonly shards: number;
  readonly seconds: number;
}

const DEFAULT_HORIZON_MS = 30 * 60_000;

/** Fault types whose label ends in a failure (a facility cooling failure peaks and recovers). */
export function groundTruth(labels: readonly FaultLabel[]): GroundTruthLabel[] {
  return labels.map((l) => ({
    device: l.device,
    node: l.node,
    rack: l.rack,
    faultType: l.faultType,
    onsetTs: l.onsetTs,
    failureTs: l.failureTs,
    endsInFailure: l.faultType !== 'facility_cooling_failure' && Number.isFinite(l.failureTs),
  }));
}

/** The fault model's horizon, when one is served. */
export function horizonOf(inference: ScoringService | undefined): number | undefined {
  const fault = inference?.models().find((m) => m.family === 'fault');
  const meta = fault?.metadata;
  return meta?.horizonSteps ? meta.horizonSteps * meta.samplePeriodMs : undefined;
}

export async function runBacktest(
  c: Composition,
  inference: ScoringService | undefined,
  o: BacktestOptions,
  log: Logger,
  progress: (done: number, total: number) => void = () => {},
): Promise<BacktestResult> {
  const started = performance.now();
  const queues = new FleetQueues(c.config, { prefix: `${c.queues.prefix}-backtest-${randomUUID().slice(0, 8)}` });
  try {
    const store = new RecommendationStore(queues.redis, { keyPrefix: queues.key() });
    const deps = {
      reader: c.reader,
      writer: c.writer,
      inference,
      dispatcher: new RemediationDispatcher(queues, store),
      safety: new SafetySwitches(queues.redis, queues.key(), c.safety.scopes),
      ...(o.policy ? { policy: o.policy } : {}),
      dryRun: true,
      log,
    };
    const slots: number[] = [];
    for (let s = Math.ceil(o.from / o.stepMs) * o.stepMs; s < o.to; s += o.stepMs) slots.push(s);
    let shards = 0;
    for (const [i, slot] of slots.entries()) {
      const clusters = o.cluster ? [o.cluster] : await activeClusters(c.reader, slot - 3_600_000, slot);
      for (const cluster of clusters) {
        await runShard(deps, { cluster, slot, recommend: true, store: false });
        shards++;
      }
      progress(i + 1, slots.length);
    }
    const recommendations = (await store.list({ since: o.from, limit: 1_000_000 }, 1_000_000)).map((r) => ({
      id: r.id,
      type: r.action.type,
      ts: r.createdAt,
      target: r.action.target.id,
      rack: r.action.target.rack,
      devices: deviceList(r.action.evidence),
    }));
    const labels = groundTruth(await c.reader.faultLabels({ from: o.from, to: o.to }));
    const devices = await c.reader.listDevices({
      from: o.from,
      to: o.to,
      ...(o.cluster ? { cluster: o.cluster } : {}),
    });
    const card = scorecard({
      from: o.from,
      to: o.to,
      devices: devices.length,
      horizonMs: o.horizonMs ?? horizonOf(inference) ?? DEFAULT_HORIZON_MS,
      recommendations,
      labels: o.cluster
        ? labels.filter((l) => devices.some((d) => d.cluster === o.cluster && d.rack === l.rack))
        : labels,
    });
    return {
      scorecard: card,
      recommendations,
      labels,
      slots: slots.length,
      shards,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await queues.obliterate().catch(() => {});
    await queues.close();
  }
}

/** The `devices` an action's evidence names (`node/gpu`), when it names any. */
export function deviceList(evidence: unknown): string[] | undefined {
  const d = (evidence as { devices?: unknown } | undefined)?.devices;
  return Array.isArray(d) ? d.filter((x): x is string => typeof x === 'string') : undefined;
}
