/**
 * Forecast bench: one full batch-forecast run (the product's runShard for every cluster of the fleet: read →
 * features → 4 models → outputs → score writes → policy → dispatch) at several simulated fleet sizes, with the
 * time per stage from the shards' own timings (src/forecast/timings.ts), so the cost per GPU and its growth
 * are on record. Target: 4,096 GPUs in <= 5 s per run on 2 cores, growing linearly or better.
 * Shards run as one forecast worker runs them (FORECAST_CONCURRENCY at a time) on the real QuestDB, Redis and the
 * default models in MODELS_DIR; each run dispatches into a queue prefix of its own (dry-run), removed after it.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import pino from 'pino';
import { type Config, loadConfig } from '../../src/config.js';
import { activeClusters } from '../../src/forecast/evidence.js';
import { runShard, type ShardDeps, type ShardResult } from '../../src/forecast/shard.js';
import { FORECAST_STAGES, type StageTimings } from '../../src/forecast/timings.js';
import { InferenceService } from '../../src/inference/inference-service.js';
import { RemediationDispatcher } from '../../src/queue/dispatcher.js';
import { SafetySwitches } from '../../src/queue/policy-state.js';
import { FleetQueues } from '../../src/queue/queues.js';
import { RecommendationStore } from '../../src/queue/recommendation-store.js';
import { DEFAULT_POLICY } from '../../src/recommend/index.js';
import { migrate } from '../../src/telemetry/migrate.js';
import { TelemetryReader } from '../../src/telemetry/reader.js';
import { TelemetryWriter } from '../../src/telemetry/writer.js';
import { type BenchFleet, benchFleet } from './forecast-fleet.js';
import { modelsWithShadows } from './shadow-models.js';
import type { BenchContext, BenchReport } from './types.js';

const log = pino({ level: 'silent' });
const FAMILIES = ['anomaly', 'fault', 'ttf', 'throughput'] as const;

interface RunResult {
  readonly seconds: number;
  readonly shards: ShardResult[];
}

/** One forecast run over the fleet's clusters, as a forecast worker runs the shards of one slot. */
async function forecastRun(
  config: Config,
  deps: Omit<ShardDeps, 'dispatcher' | 'safety'>,
  fleet: BenchFleet,
): Promise<RunResult> {
  const queues = new FleetQueues(config, { prefix: `bench-forecast-${randomUUID().slice(0, 8)}` });
  const store = new RecommendationStore(queues.redis, { keyPrefix: queues.key(), writer: deps.writer });
  const shardDeps: ShardDeps = {
    ...deps,
    dispatcher: new RemediationDispatcher(queues, store),
    safety: new SafetySwitches(queues.redis, queues.key()),
  };
  try {
    const started = performance.now();
    // As the scheduled tick finds them: the clusters that reported in the hour before the slot (ours only).
    const clusters = (await activeClusters(deps.reader, fleet.slot - 3_600_000, fleet.slot)).filter((c) =>
      c.startsWith(`${fleet.prefix}-`),
    );
    if (clusters.length !== fleet.clusters.length) {
      throw new Error(`forecast bench: ${clusters.length} of ${fleet.clusters.length} clusters reported`);
    }
    const shards: ShardResult[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: config.queue.forecastConcurrency }, async () => {
        while (next < clusters.length)
          shards.push(await runShard(shardDeps, { cluster: clusters[next++], slot: fleet.slot }));
      }),
    );
    return { seconds: (performance.now() - started) / 1000, shards };
  } finally {
    await queues.obliterate();
    await queues.close();
  }
}

/** A run that scored nothing measured nothing: every model family must have scored the fleet. */
function checkScored(run: RunResult, fleet: BenchFleet, served: Map<string, string>): Record<string, number> {
  const scored: Record<string, number> = {};
  for (const s of run.shards) for (const [m, n] of Object.entries(s.scored)) scored[m] = (scored[m] ?? 0) + n;
  const devices = run.shards.reduce((n, s) => n + s.devices, 0);
  if (devices !== fleet.gpus) throw new Error(`forecast bench: ${devices} of ${fleet.gpus} GPUs in the run`);
  for (const [family, model] of served) {
    if (!(scored[model] > 0)) {
      const why = run.shards.find((s) => s.unscorable[model])?.unscorable[model];
      throw new Error(
        `forecast bench: ${family} model ${model} scored nothing${why ? `: ${JSON.stringify(why)}` : ''}`,
      );
    }
  }
  return scored;
}

const sum = (runs: readonly ShardResult[], f: (s: ShardResult) => number) => runs.reduce((n, s) => n + f(s), 0);
const secs = (ms: number) => Number((ms / 1000).toFixed(3));

export async function run({ sizes }: BenchContext): Promise<BenchReport> {
  const load0 = os.loadavg()[0];
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const reader = TelemetryReader.connect(config.questdb);
  await migrate(reader);
  const writer = await TelemetryWriter.connect(config.questdb);
  const inference = await InferenceService.open(config, log, { syncIntervalMs: 0 });
  // The same run with a shadow beside the anomaly and fault champions (src/forecast/shadow.ts), for its cost.
  const shadowModels = await modelsWithShadows(config.models.dir);
  const shadowInference = await InferenceService.open(
    { ...config, models: { ...config.models, dir: shadowModels.dir } },
    log,
    { syncIntervalMs: 0 },
  );
  const rows: Record<string, string | number>[] = [];
  const perRun = new Map<number, number>();
  const historyMs = Math.max(DEFAULT_POLICY.xid.lookbackMs, DEFAULT_POLICY.maxInputAgeMs);
  const seeded: string[] = [];
  try {
    const served = new Map<string, string>();
    for (const f of FAMILIES) {
      const m = inference.models().find((x) => x.family === f);
      if (!m)
        throw new Error(`forecast bench: no ${f} model served from ${config.models.dir} (run npm run default-models)`);
      served.set(f, m.name);
    }
    const deps = { reader, writer, inference, dryRun: true, log };
    for (const gpus of sizes.forecastGpus) {
      const fleet = await benchFleet(reader, writer, gpus, historyMs);
      seeded.push(
        `${gpus} GPUs: ${fleet.written > 0 ? `${fleet.written} GPU samples written in ${fleet.seedSeconds.toFixed(0)} s` : 'already in QuestDB'}`,
      );
      checkScored(await forecastRun(config, deps, fleet), fleet, served); // warm-up: sessions, JIT, pools
      const runs: RunResult[] = [];
      for (let i = 0; i < sizes.forecastReps; i++) runs.push(await forecastRun(config, deps, fleet));
      const scored = runs.map((r) => checkScored(r, fleet, served))[0];
      const median = [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)];
      const shadowDeps = { ...deps, inference: shadowInference };
      await forecastRun(config, shadowDeps, fleet); // warm-up of the shadow sessions
      const withShadow: RunResult[] = [];
      for (let i = 0; i < sizes.forecastReps; i++) withShadow.push(await forecastRun(config, shadowDeps, fleet));
      const shadowMedian = [...withShadow].sort((a, b) => a.seconds - b.seconds)[Math.floor(withShadow.length / 2)];
      perRun.set(gpus, median.seconds);
      const stage = (s: keyof StageTimings) => secs(sum(median.shards, (r) => r.timings[s]));
      rows.push({
        GPUs: gpus,
        's/run': Number(median.seconds.toFixed(3)),
        ...Object.fromEntries(FORECAST_STAGES.map((s) => [`${s} s`, stage(s)])),
        'shard s': secs(sum(median.shards, (r) => r.durationMs)),
        'with shadow s/run': Number(shadowMedian.seconds.toFixed(3)),
        'shadow stage s (with shadow)': secs(sum(shadowMedian.shards, (r) => r.timings.shadow)),
        shards: median.shards.length,
        'ms/GPU': Number(((median.seconds * 1000) / gpus).toFixed(3)),
        'runs (min–max s)': `${runs.length} (${Math.min(...runs.map((r) => r.seconds)).toFixed(2)}–${Math.max(...runs.map((r) => r.seconds)).toFixed(2)})`,
        scored: FAMILIES.map((f) => `${f} ${scored[served.get(f) ?? ''] ?? 0}`).join(', '),
        // Every recommendation is stored one by one (dispatch), whatever becomes of it: queued, awaiting approval,
        // suppressed.
        actions: sum(median.shards, (r) => r.actions.proposed + r.actions.suppressed + r.actions.duplicates),
        queued: sum(median.shards, (r) => r.actions.queued),
      });
      console.error(`forecast ${gpus} GPUs: ${median.seconds.toFixed(2)} s/run (median of ${runs.length})`);
    }
  } finally {
    await inference.close();
    await shadowInference.close();
    await shadowModels.remove();
    await writer.close();
    await reader.close();
  }
  const sizesRun = [...perRun.keys()].sort((a, b) => a - b);
  const small = sizesRun[0];
  const large = sizesRun[sizesRun.length - 1];
  const summary: Record<string, string> = {};
  if (perRun.has(4096)) summary['4,096 GPUs per run'] = `${perRun.get(4096)?.toFixed(2)} s (target <= 5 s)`;
  if (large > small) {
    const growth = (perRun.get(large) ?? 0) / (perRun.get(small) ?? 1) / (large / small);
    summary[`cost per GPU at ${large} vs ${small} GPUs`] =
      `${growth.toFixed(2)}x (<= 1: linear or better; ${large / small}x the GPUs took ${((perRun.get(large) ?? 0) / (perRun.get(small) ?? 1)).toFixed(1)}x the time)`;
  }
  const m = config.models;
  return {
    suite: 'forecast',
    method:
      `one forecast run = every cluster's shard (src/forecast/shard.ts runShard, ${config.queue.forecastConcurrency} ` +
      `at a time as one forecast worker runs them: FORECAST_CONCURRENCY) of one slot, on the real QuestDB and Redis, ` +
      `with the default models (${FAMILIES.join(', ')}) from ${m.dir} in ${m.inferenceWorkers} inference worker(s), ` +
      `intraOp ${m.intraOpThreads}, dry-run dispatch into a fresh queue prefix per run. Fleet: the simulator ` +
      `(datasets/simulator, seed 15, 8 GPUs/node, 4 nodes/rack, 4 racks/cluster = 128 GPUs a shard) with ` +
      `${historyMs / 60_000} min of 10 s telemetry (the policy's lookback) before the slot, under names bfc<GPUs>-* in ` +
      `a time range of its own (${seeded.join('; ')}). Per size: one warm-up run, then ${sizes.forecastReps} measured ` +
      `run(s); the row is the median run. s/run: wall time of the run (cluster list + all shards). Stage columns: ` +
      `each shard's wall time per stage (overlapping operations of a stage counted once), summed over the shards; ` +
      `reads run beside the model work inside a shard and ${config.queue.forecastConcurrency} shards run at once, so ` +
      `the stages add up to about 'shard s' (more where they overlap) and 'shard s' to about ${config.queue.forecastConcurrency}x s/run. ` +
      `'with shadow': the same runs (warm-up + as many measured) with a shadow registered for ${shadowModels.shadowed.join(' and ')} ` +
      `(a copy of the champion under another version: one more inference per shadowed model on its own inputs, ` +
      `and its rows in shadow_scores). ` +
      `${os.cpus().length} CPU cores shared with QuestDB, Redis and other work (1-min load average ` +
      `${load0.toFixed(1)} at start, ${os.loadavg()[0].toFixed(1)} at end).`,
    rows,
    summary,
  };
}
