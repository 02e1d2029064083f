/**
 * `npm run train -- --model anomaly|fault|ttf|throughput --source sim|questdb|csv:<path> [...]`
 * Parses and validates arguments (a bad one: one line on stderr, exit code 2), then runs training/trainer-run.ts.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { AppError } from '../../src/errors.js';
import { EXIT } from '../../src/exit-codes.js';
import type { ModelFamily } from '../../src/features/model-metadata.js';
import type { SourceSpec } from '../datasets/sources.js';
import { TTF_ARCHITECTURES, type TtfArchitecture } from '../models/ttf.js';
import { type RunOptions, runTraining } from '../trainer-run.js';
import { usageExit } from './run-main.js';

/** A bad combination of individually valid flags (commander already reports bad single values). */
class UsageError extends Error {}

const FAMILIES: readonly ModelFamily[] = ['anomaly', 'fault', 'ttf', 'throughput'];

const int =
  (name: string, min: number) =>
  (raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
    return n;
  };
const positive =
  (name: string) =>
  (raw: string): number => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a number > 0`);
    return n;
  };
const time = (raw: string): number => {
  const ms = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(ms)) throw new InvalidArgumentError('expected an ISO-8601 time or epoch ms');
  return ms;
};
const list = (raw: string): string[] =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const source = (raw: string): string => {
  if (raw === 'sim' || raw === 'questdb' || (raw.startsWith('csv:') && raw.length > 4)) return raw;
  throw new InvalidArgumentError('expected sim, questdb or csv:<path>');
};

interface TrainDefaults {
  /** Window length, samples. */
  readonly window: number;
  readonly epochs: number;
  readonly batchSize: number;
  /** Optimiser steps training is sized by (epochs = ceil(steps / batches per epoch), at most `epochs`). */
  readonly steps?: number;
  readonly stride: number;
  readonly devices: number;
  readonly patience: number;
  readonly ttfCap?: number;
  readonly architecture?: TtfArchitecture;
}

const ALL = Number.MAX_SAFE_INTEGER;

/**
 * Per-family defaults sized for the 2-core quick start; every one is a flag. `csv` replaces some for a CSV source:
 * a file is small next to a simulated fleet, so every window and every entity counts, and training is sized by
 * steps (a 1,600-row file gets as many updates as a 16,000-row one, with early stopping on the validation loss).
 */
export const TRAIN_DEFAULTS: Record<
  ModelFamily,
  TrainDefaults & { sim: { gpus: number; hours: number; faults: number }; csv: Partial<TrainDefaults> }
> = {
  anomaly: {
    window: 30,
    epochs: 15,
    batchSize: 256,
    // Every GPU of a 256-GPU fleet (all four GPU models, hot GPUs, every job shape), thinned in time.
    stride: 60,
    devices: 256,
    patience: 4,
    sim: { gpus: 256, hours: 24, faults: 0.3 },
    // Batch 128: a step costs about 0.7 of one at 256 on wasm (per-op overhead dominates at this size; `npm run
    // bench -- train`), so 200 steps fit a 4,000-row signal in under a minute on 2 cores; NAB's F1 held (README).
    csv: { epochs: 40, steps: 200, batchSize: 128, patience: 5, stride: 1, devices: ALL },
  },
  fault: {
    window: 30,
    epochs: 8,
    batchSize: 256,
    stride: 20,
    devices: 48,
    patience: 3,
    sim: { gpus: 64, hours: 48, faults: 0.3 },
    csv: { stride: 1, devices: ALL },
  },
  ttf: {
    window: 30,
    epochs: 8,
    batchSize: 256,
    stride: 20,
    devices: 48,
    patience: 3,
    architecture: 'lstm',
    sim: { gpus: 64, hours: 48, faults: 0.3 },
    // Run-to-failure files: every engine, the literature's RUL cap of 125 steps, and the window MLP trained to
    // convergence (training/models/ttf.ts: ~2 s an epoch of 16,000 windows on 2 cores; early stopping ends it).
    // Window 50, not the literature's usual 30: on C-MAPSS FD001's cross-validation it cut the RMSE from 13.9 to
    // 11.5 over 1,000 seeded cuts (README); an engine observed for fewer cycles is padded when scored.
    csv: {
      window: 50,
      epochs: 150,
      batchSize: 256,
      steps: 10_000,
      patience: 15,
      stride: 1,
      devices: ALL,
      ttfCap: 125,
      architecture: 'mlp',
    },
  },
  throughput: {
    window: 30,
    epochs: 40,
    batchSize: 256,
    stride: 1,
    devices: 24,
    patience: 6,
    // 256 GPUs: every GPU model the quick start's fleet runs (128 hold H100s only, and A100 jobs were extrapolated).
    sim: { gpus: 256, hours: 48, faults: 0.075 },
    csv: {},
  },
};

function defaultsFor(fam: ModelFamily, csv: boolean): TrainDefaults {
  const d = TRAIN_DEFAULTS[fam];
  return csv ? { ...d, ...d.csv } : d;
}

/** The `--help` table of per-family defaults (sim/questdb, then what a CSV source changes). */
function defaultsHelp(): string {
  const cell = (d: TrainDefaults) =>
    [
      `window ${d.window}`,
      `epochs ${d.epochs}${d.steps !== undefined ? ` (sized by ${d.steps} steps)` : ''}`,
      `batch ${d.batchSize}`,
      `patience ${d.patience}`,
      `stride ${d.stride}`,
      `max-devices ${d.devices === ALL ? 'all' : d.devices}`,
      ...(d.ttfCap !== undefined ? [`ttf-cap ${d.ttfCap}`] : []),
      ...(d.architecture !== undefined ? [`architecture ${d.architecture}`] : []),
    ].join(', ');
  const lines = ['', 'Per-family defaults (sim and questdb sources; csv: sources):'];
  for (const fam of FAMILIES) {
    lines.push(`  ${fam.padEnd(10)} ${cell(defaultsFor(fam, false))}`);
    lines.push(`  ${''.padEnd(10)} csv: ${cell(defaultsFor(fam, true))}`);
  }
  lines.push(
    '',
    'CSV anomaly models record sliding-window detection in model.json (--detection threshold for the fixed rule).',
    'Zone-less CSV timestamps are read as UTC unless --timezone names a zone.',
  );
  return lines.join('\n');
}

export function trainProgram(): Command {
  return new Command('train')
    .description('Train a model and write models/<name>/<version>/ (tfjs, model.json, model.onnx)')
    .addOption(new Option('--model <family>', 'model family').choices(FAMILIES).makeOptionMandatory())
    .option('--source <source>', 'sim | questdb | csv:<path>', source, 'sim')
    .option('--name <name>', 'model name (default: the family)')
    .option('--version <version>', 'version folder (default: UTC timestamp, e.g. 20261128T061500Z)')
    .option('--out <dir>', 'models root folder', 'models')
    .option('--epochs <n>', 'maximum epochs (default per family)', int('--epochs', 1))
    .option('--batch-size <n>', 'batch size (default per family)', int('--batch-size', 1))
    .option(
      '--steps <n>',
      'size training by this many optimiser steps, at most --epochs (default per family)',
      int('--steps', 1),
    )
    .option('--learning-rate <x>', 'Adam learning rate', positive('--learning-rate'))
    .option('--patience <n>', 'early-stopping patience, epochs (default per family)', int('--patience', 1))
    .option('--window <n>', 'window length, samples (default per family)', int('--window', 2))
    .option(
      '--stride <n>',
      'keep every n-th training window (fault/ttf: negatives only; default per family)',
      int('--stride', 1),
    )
    .option('--horizon <n>', 'fault horizon H, samples (default 180 = 30 min)', int('--horizon', 1), 180)
    .option('--ttf-cap <n>', 'cap on the time-to-failure target, samples (default 360; csv: 125)', int('--ttf-cap', 1))
    .option('--units <n>', 'LSTM units (MLP: hidden width / 2; ttf mlp: first hidden layer)', int('--units', 1))
    .addOption(
      new Option('--architecture <kind>', 'ttf: lstm or mlp over the flattened window (default per source)').choices(
        TTF_ARCHITECTURES,
      ),
    )
    .option(
      '--members <n>',
      'ttf mlp: networks trained side by side and averaged in one graph (default 3)',
      int('--members', 1),
    )
    .option('--latent <n>', 'anomaly: encoder (latent code) units, default 8', int('--latent', 1))
    .option('--seed <n>', 'seed for weights and shuffling', int('--seed', 0), 42)
    .option(
      '--max-devices <n>',
      'use at most n devices, faulty ones first (default per family)',
      int('--max-devices', 1),
    )
    .option(
      '--features <list>',
      'comma-separated features: raw fields, derived (delta:, log:, bit<n>:, ratio:a/b), peer (below-peers:, above-peers:) or rack: fields',
      list,
    )
    .option('--split <train,val,test>', 'time-split fractions', list)
    .option('--backend <name>', 'tfjs backend: node-gpu, node, webgpu, wasm, cpu (default TFJS_BACKEND, else best)')
    .addOption(
      new Option(
        '--detection <kind>',
        'anomaly: how scores become intervals (default: sliding for CSV, else threshold)',
      ).choices(['sliding', 'threshold']),
    )
    .option('--no-onnx', 'skip the ONNX export')
    .option('--progress <mode>', 'auto | bar | lines | none', 'auto')
    .option('--sim-seed <n>', 'sim: simulator seed', int('--sim-seed', 0), 1)
    .option('--gpus <n>', 'sim: fleet size', int('--gpus', 1))
    .option('--hours <h>', 'sim: simulated hours', positive('--hours'))
    .option('--faults-per-gpu-day <x>', 'sim: injected fault rate', positive('--faults-per-gpu-day'))
    .option('--start <time>', 'sim: first sample', time, Date.UTC(2026, 0, 5))
    .option('--from <time>', 'questdb: range start (ISO or epoch ms)', time)
    .option('--to <time>', 'questdb: range end, exclusive', time)
    .option('--devices <list>', 'questdb: device ids (node/gpu), comma-separated', list)
    .option('--time-column <name>', 'csv: time column')
    .option('--entity-column <name>', 'csv: entity (device/unit) column')
    .option('--label-column <name>', 'csv: 0/1 label column')
    .option('--run-to-failure', 'csv: every entity runs until it fails (TTF targets)')
    .option(
      '--step-ms <ms>',
      'csv: milliseconds one step of an integer step (cycle) column stands for',
      positive('--step-ms'),
    )
    .option('--timezone <zone>', 'csv: IANA zone of zone-less timestamps (default UTC)')
    .addHelpText('after', defaultsHelp())
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(`${s.trim().split('\n')[0]}\n`) });
}

type Parsed = Record<string, unknown> & { model: ModelFamily; source: string };

function sourceSpec(p: Parsed, fam: ModelFamily, window: number): SourceSpec {
  const d = TRAIN_DEFAULTS[fam].sim;
  if (p.source === 'sim') {
    return {
      kind: 'sim',
      seed: p.simSeed as number,
      gpus: (p.gpus as number | undefined) ?? d.gpus,
      hours: (p.hours as number | undefined) ?? d.hours,
      start: p.start as number,
      faultsPerGpuDay: (p.faultsPerGpuDay as number | undefined) ?? d.faults,
    };
  }
  if (p.source === 'questdb') {
    const to = (p.to as number | undefined) ?? Date.now();
    const from = (p.from as number | undefined) ?? to - 24 * 3_600_000;
    if (!(from < to)) throw new UsageError('--from must be before --to');
    return { kind: 'questdb', from, to, devices: p.devices as string[] | undefined, config: loadConfig().questdb };
  }
  return {
    kind: 'csv',
    path: p.source.slice(4),
    options: {
      timeColumn: p.timeColumn as string | undefined,
      entityColumn: p.entityColumn as string | undefined,
      labelColumn: p.labelColumn as string | undefined,
      runToFailure: p.runToFailure === true,
      minRows: window,
      stepMs: p.stepMs as number | undefined,
      timeZone: p.timezone as string | undefined,
    },
  };
}

function fractions(p: Parsed, src: SourceSpec): RunOptions['fractions'] {
  const raw = p.split as string[] | undefined;
  // No test part by default: a CSV user scores or evaluates on their own file (or on the same one, as NAB's
  // protocol does), and a held-out 15 % would only be data the model never saw.
  if (!raw)
    return src.kind === 'questdb'
      ? { train: 0.7, validation: 0.15, test: 0.15 }
      : src.kind === 'sim'
        ? { train: 0.8, validation: 0.2, test: 0 }
        : { train: 0.85, validation: 0.15, test: 0 };
  const [train, validation, test = 0] = raw.map(Number);
  if (![train, validation, test].every((f) => Number.isFinite(f) && f >= 0) || !(train > 0)) {
    throw new UsageError('--split expects train,val[,test] fractions >= 0 with train > 0');
  }
  return { train, validation, test };
}

/** Parsed arguments → RunOptions (throws CommanderError on a bad flag, UsageError on a bad combination). */
export function runOptions(argv: readonly string[], log: RunOptions['log']): RunOptions {
  const program = trainProgram();
  program.parse(argv as string[], { from: 'user' });
  const p = program.opts<Parsed>();
  const fam = p.model;
  const progress = p.progress as string;
  if (!['auto', 'bar', 'lines', 'none'].includes(progress))
    throw new UsageError('--progress must be auto, bar, lines or none');
  const d = defaultsFor(fam, p.source.startsWith('csv:'));
  const window = (p.window as number | undefined) ?? d.window;
  const src = sourceSpec(p, fam, window);
  return {
    family: fam,
    source: src,
    name: p.name as string | undefined,
    version: p.version as string | undefined,
    out: p.out as string,
    backend: p.backend as string | undefined,
    onnx: p.onnx !== false,
    features: p.features as string[] | undefined,
    windowLength: window,
    trainStride: (p.stride as number | undefined) ?? d.stride,
    maxEntities: (p.maxDevices as number | undefined) ?? d.devices,
    fractions: fractions(p, src),
    horizonSteps: p.horizon as number,
    ttfCapSteps: (p.ttfCap as number | undefined) ?? d.ttfCap ?? 360,
    units: p.units as number | undefined,
    ttfArchitecture: (p.architecture as TtfArchitecture | undefined) ?? d.architecture,
    ttfMembers: p.members as number | undefined,
    latentUnits: p.latent as number | undefined,
    learningRate: p.learningRate as number | undefined,
    detection: p.detection as 'sliding' | 'threshold' | undefined,
    seed: p.seed as number,
    trainer: {
      epochs: (p.epochs as number | undefined) ?? d.epochs,
      batchSize: (p.batchSize as number | undefined) ?? d.batchSize,
      // An explicit --epochs means that many epochs (no step sizing), unless --steps is given too.
      steps: (p.steps as number | undefined) ?? (p.epochs === undefined ? d.steps : undefined),
      patience: (p.patience as number | undefined) ?? d.patience,
      progress: progress as 'auto' | 'bar' | 'lines' | 'none',
    },
    log,
  };
}

/**
 * The CLI: returns the exit code: 0 ok, 1 failure, 2 bad arguments, 3 too little data in the source or range
 * (`NO_DATA`: a scheduled retrain on a young installation skips instead of failing, src/queue/retrain-worker.ts).
 */
export async function main(argv: readonly string[]): Promise<number> {
  const logger = pino({ level: loadConfig().logLevel }, pino.destination(2));
  const log: RunOptions['log'] = { info: (o, m) => logger.info(o, m), warn: (o, m) => logger.warn(o, m) };
  let opts: RunOptions;
  try {
    opts = runOptions(argv, log);
  } catch (err) {
    return usageExit(err);
  }
  try {
    const { dir, meta } = await runTraining(opts);
    process.stdout.write(`${JSON.stringify({ dir, name: meta.name, version: meta.version, metrics: meta.metrics })}\n`);
    return 0;
  } catch (err) {
    const code = err instanceof AppError ? err.code : 'TRAINING_FAILED';
    process.stderr.write(`error: ${code}: ${err instanceof Error ? err.message : String(err)}\n`);
    return code === 'NO_DATA' ? EXIT.noData : EXIT.failed;
  }
}
