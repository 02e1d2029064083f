/**
 * `npm run forecast -- --from <time> --to <time> [options]`: the batch forecast once over a range (backfill), in
 * this process, with exactly the code the scheduled runs use (src/forecast/shard.ts): every `--step-minutes`
 * slot in [from, to), one shard per cluster that reported, scores written to anomaly_scores / fault_predictions.
 *
 *   --from, --to        ISO-8601 time or epoch ms (required)
 *   --step-minutes N    slot spacing (default FORECAST_EVERY_MINUTES)
 *   --cluster NAME      only this cluster
 *   --recommend         also feed the policy and store/enqueue its recommendations (off by default: a backfill of
 *                       history should not act on the present)
 *   --no-models         skip model scoring (evidence-only)
 */
import { Command, InvalidArgumentError } from 'commander';
import pino from 'pino';
import { openComposition } from '../src/composition.js';
import { loadConfig } from '../src/config.js';
import { activeClusters } from '../src/forecast/evidence.js';
import { runShard } from '../src/forecast/shard.js';
import { policyFor } from '../src/queue/runtime.js';

function time(raw: string): number {
  const n = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('must be an ISO-8601 time or epoch milliseconds');
  return n;
}

function minutes(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be an integer >= 1');
  return n;
}

interface Flags {
  from: number;
  to: number;
  stepMinutes?: number;
  cluster?: string;
  recommend?: boolean;
  models: boolean;
}

async function main() {
  const flags = new Command('forecast')
    .requiredOption('--from <time>', 'range start (ISO or epoch ms)', time)
    .requiredOption('--to <time>', 'range end, exclusive (ISO or epoch ms)', time)
    .option('--step-minutes <n>', 'slot spacing in minutes', minutes)
    .option('--cluster <name>', 'only this cluster')
    .option('--recommend', 'feed the policy and enqueue its recommendations')
    .option('--no-models', 'skip model scoring')
    .parse()
    .opts<Flags>();
  if (!(flags.to > flags.from)) throw new InvalidArgumentError('--to must be after --from');
  const config = loadConfig();
  const log = pino({ level: config.logLevel === 'info' ? 'warn' : config.logLevel });
  const stepMs = (flags.stepMinutes ?? config.queue.forecastEveryMinutes) * 60_000;

  const composition = await openComposition(config, log);
  const { reader, writer } = composition;
  const inference = flags.models ? await composition.inference() : undefined;
  const deps = {
    reader,
    writer,
    inference,
    dispatcher: composition.dispatcher,
    safety: composition.safety,
    policy: policyFor(config),
    dryRun: config.queue.dryRun,
    log,
  };
  const started = performance.now();
  const slots: number[] = [];
  for (let s = Math.ceil(flags.from / stepMs) * stepMs; s < flags.to; s += stepMs) slots.push(s);
  const served = inference?.models().map((m) => `${m.name}@${m.activeVersion}`) ?? [];
  console.error(
    `forecast: ${slots.length} slot(s) every ${stepMs / 60_000} min; models: ${served.join(', ') || 'none'}`,
  );
  let shards = 0;
  let devices = 0;
  let queued = 0;
  const scored: Record<string, number> = {};
  try {
    for (const [i, slot] of slots.entries()) {
      const clusters = flags.cluster ? [flags.cluster] : await activeClusters(reader, slot - 3_600_000, slot);
      for (const cluster of clusters) {
        const r = await runShard(deps, { cluster, slot, recommend: flags.recommend === true });
        shards++;
        devices += r.devices;
        queued += r.actions.queued;
        for (const [m, n] of Object.entries(r.scored)) scored[m] = (scored[m] ?? 0) + n;
      }
      console.error(
        `[${i + 1}/${slots.length}] ${new Date(slot).toISOString()}: ${clusters.length} cluster(s), ${devices} device-slots so far`,
      );
    }
  } finally {
    await composition.close();
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    JSON.stringify({ slots: slots.length, shards, devices, scored, queued, seconds: Number(seconds.toFixed(1)) }),
  );
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
