/**
 * `npm run backtest -- --from <time> --to <time> [options]`: the automation's scorecard over history. Replays the
 * live forecast path at the forecast cadence with nothing executed (src/forecast/backtest.ts), then measures its
 * recommendations against fault_labels. Prints the summary (first three lines: faults caught, median lead, false
 * recommendations per device-day) and writes scorecard.json, scorecard.md and timeline.svg under --out.
 *
 *   --from, --to        ISO-8601 time or epoch ms (required)
 *   --step-minutes N    slot spacing (default FORECAST_EVERY_MINUTES)
 *   --cluster NAME      only this cluster
 *   --horizon-minutes N how early a recommendation may come and still count (default: the fault model's horizon)
 *   --out DIR           report folder (default reports/backtest)
 */
import { Command, InvalidArgumentError } from 'commander';
import pino from 'pino';
import { openComposition } from '../src/composition.js';
import { loadConfig } from '../src/config.js';
import { runBacktest } from '../src/forecast/backtest.js';
import { scorecardSummary } from '../src/forecast/scorecard.js';
import { policyFor } from '../src/queue/runtime.js';
import { writeReport } from './backtest/report.js';

function time(raw: string): number {
  const n = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('must be an ISO-8601 time or epoch milliseconds');
  return n;
}

function positive(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be an integer >= 1');
  return n;
}

async function main() {
  const flags = new Command('backtest')
    .requiredOption('--from <time>', 'range start (ISO or epoch ms)', time)
    .requiredOption('--to <time>', 'range end, exclusive (ISO or epoch ms)', time)
    .option('--step-minutes <n>', 'slot spacing in minutes (default FORECAST_EVERY_MINUTES)', positive)
    .option('--cluster <name>', 'only this cluster')
    .option(
      '--horizon-minutes <n>',
      "how early a recommendation still counts (default: the fault model's horizon)",
      positive,
    )
    .option('--out <dir>', 'report folder', 'reports/backtest')
    .parse()
    .opts<{ from: number; to: number; stepMinutes?: number; cluster?: string; horizonMinutes?: number; out: string }>();
  if (!(flags.to > flags.from)) throw new InvalidArgumentError('--to must be after --from');
  const config = loadConfig();
  const log = pino({ level: config.logLevel === 'info' ? 'warn' : config.logLevel });
  const composition = await openComposition(config, log);
  try {
    const inference = await composition.inference().catch((err) => {
      log.warn({ err: (err as Error).message }, 'no model served: the backtest runs the model-free rules only');
      return undefined;
    });
    const stepMs = (flags.stepMinutes ?? config.queue.forecastEveryMinutes) * 60_000;
    const result = await runBacktest(
      composition,
      inference,
      {
        from: flags.from,
        to: flags.to,
        stepMs,
        ...(flags.cluster ? { cluster: flags.cluster } : {}),
        ...(flags.horizonMinutes ? { horizonMs: flags.horizonMinutes * 60_000 } : {}),
        policy: policyFor(config),
      },
      log,
      (done, total) => {
        if (done === total || done % Math.max(1, Math.floor(total / 20)) === 0)
          process.stderr.write(`backtest: ${done}/${total} slots\n`);
      },
    );
    for (const line of scorecardSummary(result.scorecard)) console.log(line);
    const files = await writeReport(flags.out, result, `npm run backtest -- ${process.argv.slice(2).join(' ')}`);
    process.stderr.write(`backtest: wrote ${files.join(', ')}\n`);
  } finally {
    await composition.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`backtest: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  },
);
