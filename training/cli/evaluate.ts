/**
 * `npm run evaluate -- --model-dir models/<name>/<version> --source sim|questdb|csv:<path> [...]`
 * Writes reports/<name>-<version>/{report.json, report.md, *.svg}; prints the metrics as one JSON line.
 * Exit codes: 0 ok, 2 bad arguments (one line on stderr), 1 evaluation failed.
 */
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../../src/config.js';
import { AppError } from '../../src/errors.js';
import { type EvaluateOptions, evaluateModel } from '../evaluate/evaluate.js';
import { finite, nonNegativeInt, oneLineErrors, positive, runtimeArg, sourceArg, time } from './cli-args.js';
import { usageExit } from './run-main.js';

export function evaluateProgram(): Command {
  return new Command('evaluate')
    .description('Evaluate a trained model and write reports/<name>-<version>/ (report.json, report.md, SVG plots)')
    .requiredOption('--model-dir <dir>', 'model version folder, e.g. models/anomaly/20261128T061500Z')
    .option('--source <source>', 'sim | questdb | csv:<path>', sourceArg, 'sim')
    .option('--reports <dir>', 'reports root folder', 'reports')
    .option('--runtime <kind>', 'auto (ONNX when model.onnx exists) | onnx | tfjs', runtimeArg, 'auto')
    .option('--threshold <x>', 'override the threshold in model.json', finite('--threshold'))
    .option(
      '--merge-gap <rows>',
      "merge alarm intervals at most this many rows apart (default: the model's detection settings, else 0)",
      nonNegativeInt('--merge-gap'),
    )
    .option(
      '--split <part>',
      'csv: evaluate all rows, or only the test part of the split recorded in model.json (all|test)',
      'all',
    )
    .option('--time-column <name>', 'csv: time column')
    .option('--entity-column <name>', 'csv: entity column(s), comma-separated, e.g. node,gpu (default: detected)')
    .option('--label-column <name>', 'csv: 0/1 label column')
    .option('--run-to-failure', 'csv: every entity runs until it fails (its last record)')
    .option(
      '--true-rul <file>',
      "csv, ttf: true RUL at each entity's last row, for entities that stop before failure (C-MAPSS RUL_FD00x.txt: one value per line in the CSV's entity order, or `entity rul` lines)",
    )
    .option('--step-ms <ms>', 'csv: milliseconds one step of an integer step column stands for', positive('--step-ms'))
    .option('--timezone <zone>', 'IANA zone of zone-less CSV timestamps (default UTC)')
    .option('--sim-seed <n>', 'sim: simulator seed (use one training did not)', nonNegativeInt('--sim-seed'), 7)
    .option('--gpus <n>', 'sim: fleet size', nonNegativeInt('--gpus'), 32)
    .option('--hours <h>', 'sim: simulated hours', positive('--hours'), 24)
    .option('--faults-per-gpu-day <x>', 'sim: injected fault rate', positive('--faults-per-gpu-day'), 0.25)
    .option('--start <time>', 'sim: first sample (ISO or epoch ms)', time)
    .option('--from <time>', 'questdb: range start (ISO or epoch ms)', time)
    .option('--to <time>', 'questdb: range end, exclusive', time)
    .exitOverride()
    .configureOutput(oneLineErrors);
}

export function evaluateOptions(argv: readonly string[], log: (m: string) => void): EvaluateOptions {
  const program = evaluateProgram();
  program.parse(argv as string[], { from: 'user' });
  const p = program.opts<Record<string, unknown>>();
  if (p.split !== 'all' && p.split !== 'test') throw new InvalidArgumentError('--split must be all or test');
  if ((p.gpus as number) < 1) throw new InvalidArgumentError('--gpus must be >= 1');
  let questdb: EvaluateOptions['questdb'];
  if (p.source === 'questdb') {
    const to = (p.to as number | undefined) ?? Date.now();
    const from = (p.from as number | undefined) ?? to - 24 * 3_600_000;
    if (!(from < to)) throw new InvalidArgumentError('--from must be before --to');
    questdb = { config: loadConfig().questdb, from, to };
  }
  return {
    modelDir: p.modelDir as string,
    source: p.source as string,
    reportsDir: p.reports as string,
    runtime: p.runtime as EvaluateOptions['runtime'],
    threshold: p.threshold as number | undefined,
    mergeGap: p.mergeGap as number | undefined,
    split: p.split as 'all' | 'test',
    trueRulFile: p.trueRul as string | undefined,
    csv: {
      timeColumn: p.timeColumn as string | undefined,
      entityColumn: p.entityColumn as string | undefined,
      labelColumn: p.labelColumn as string | undefined,
      runToFailure: p.runToFailure === true,
      stepMs: p.stepMs as number | undefined,
      timeZone: p.timezone as string | undefined,
    },
    sim: {
      seed: p.simSeed as number,
      gpus: p.gpus as number,
      hours: p.hours as number,
      start: p.start as number | undefined,
      faultsPerGpuDay: p.faultsPerGpuDay as number,
    },
    questdb,
    log,
  };
}

/** Returns the exit code (0 ok, 2 bad arguments, 1 failure). */
export async function main(argv: readonly string[]): Promise<number> {
  const log = (m: string) => process.stderr.write(`${m}\n`);
  let opts: EvaluateOptions;
  try {
    opts = evaluateOptions(argv, log);
  } catch (err) {
    return usageExit(err);
  }
  try {
    const { report, dir } = await evaluateModel(opts);
    const metrics = Object.fromEntries(
      Object.entries(report.metrics).map(([k, v]) => [k, Number.isFinite(v) ? v : null]),
    );
    process.stdout.write(`${JSON.stringify({ dir, metrics })}\n`);
    return 0;
  } catch (err) {
    const code = err instanceof AppError ? err.code : 'EVALUATION_FAILED';
    process.stderr.write(`error: ${code}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
