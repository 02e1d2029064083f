/**
 * `npm run score -- --model-dir models/<name>/<version> --csv <path> --out <dir> [...]`
 * Writes <out>/{scores.csv, intervals.csv, intervals.json, summary.json} (+ rul.csv for a remaining-useful-life
 * model: one row per entity, its predicted RUL at the last observed row); prints the summary as one JSON line.
 * Exit codes: 0 ok, 2 bad arguments (one line on stderr), 1 scoring failed (e.g. a bad CSV: the reason on stderr).
 */
import { Command } from 'commander';
import { AppError } from '../../src/errors.js';
import { type ScoreCsvOptions, scoreCsv } from '../evaluate/score-csv.js';
import { finite, nonNegativeInt, oneLineErrors, positive, runtimeArg } from './cli-args.js';
import { usageExit } from './run-main.js';

export function scoreProgram(): Command {
  return new Command('score')
    .description(
      'Score a CSV with a trained model: per-row scores and detected intervals (CSV and JSON); throughput models: predicted throughput per job row',
    )
    .requiredOption('--model-dir <dir>', 'model version folder, e.g. models/anomaly/20261128T061500Z')
    .requiredOption(
      '--csv <path>',
      "CSV to score: a time column, the model's raw feature columns, optionally an entity column",
    )
    .requiredOption('--out <dir>', 'output folder')
    .option('--runtime <kind>', 'auto (ONNX when model.onnx exists) | onnx | tfjs', runtimeArg, 'auto')
    .option('--threshold <x>', 'override the threshold in model.json', finite('--threshold'))
    .option(
      '--merge-gap <rows>',
      "merge intervals at most this many rows apart (default: the model's detection settings, else 0)",
      nonNegativeInt('--merge-gap'),
    )
    .option('--top <k>', 'features listed per interval', nonNegativeInt('--top'), 3)
    .option('--time-column <name>', 'time column (default: detected)')
    .option('--entity-column <name>', 'entity column(s), comma-separated, e.g. node,gpu (default: detected)')
    .option('--step-ms <ms>', 'milliseconds one step of an integer step column stands for', positive('--step-ms'))
    .option('--timezone <zone>', 'IANA zone of zone-less CSV timestamps (default UTC)')
    .exitOverride()
    .configureOutput(oneLineErrors);
}

export function scoreOptions(argv: readonly string[]): ScoreCsvOptions {
  const program = scoreProgram();
  program.parse(argv as string[], { from: 'user' });
  const p = program.opts<Record<string, unknown>>();
  return {
    modelDir: p.modelDir as string,
    csv: p.csv as string,
    outDir: p.out as string,
    runtime: p.runtime as ScoreCsvOptions['runtime'],
    threshold: p.threshold as number | undefined,
    mergeGap: p.mergeGap as number | undefined,
    topK: p.top as number,
    csvOptions: {
      timeColumn: p.timeColumn as string | undefined,
      entityColumn: p.entityColumn as string | undefined,
      stepMs: p.stepMs as number | undefined,
      timeZone: p.timezone as string | undefined,
    },
  };
}

export async function main(argv: readonly string[]): Promise<number> {
  let opts: ScoreCsvOptions;
  try {
    opts = scoreOptions(argv);
  } catch (err) {
    return usageExit(err);
  }
  try {
    const { summary } = await scoreCsv(opts);
    // One line: the per-entity RUL rows are in rul.csv and summary.json, here only their count.
    const { cleaning: _cleaning, remaining, ...brief } = summary;
    const line = remaining ? { ...brief, entitiesWithRul: remaining.length } : brief;
    process.stdout.write(`${JSON.stringify(line)}\n`);
    return 0;
  } catch (err) {
    const code = err instanceof AppError ? err.code : 'SCORING_FAILED';
    process.stderr.write(`error: ${code}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
