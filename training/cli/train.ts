/**
 * `npm run train -- --model anomaly|fault|ttf|throughput --source sim|questdb|csv:<path> [...]`
 * Parses and validates arguments (a bad one: one line on stderr, exit code 2), then runs training/trainer-run.ts.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { AppError } from '../../src/errors.js';
import type { ModelFamily } from '../../src/features/model-metadata.js';
import type { SourceSpec } from '../datasets/sources.js';
import { type RunOptions, runTraining } from '../trainer-run.js';

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

/** Per-family defaults sized for the 2-core quick start; every one is a flag. */
const DEFAULTS: Record<
  ModelFamily,
  {
    epochs: number;
    batchSize: number;
    stride: number;
    devices: number;
    patience: number;
    sim: { gpus: number; hours: number; faults: number };
  }
> = {
  anomaly: {
    epochs: 15,
    batchSize: 256,
    // Every GPU of a 256-GPU fleet (all four GPU models, hot GPUs, every job shape), thinned in time.
    stride: 60,
    devices: 256,
    patience: 4,
    sim: { gpus: 256, hours: 24, faults: 0.3 },
  },
  fault: { epochs: 8, batchSize: 256, stride: 20, devices: 48, patience: 3, sim: { gpus: 64, hours: 48, faults: 0.3 } },
  ttf: { epochs: 8, batchSize: 256, stride: 20, devices: 48, patience: 3, sim: { gpus: 64, hours: 48, faults: 0.3 } },
  throughput: {
    epochs: 40,
    batchSize: 256,
    stride: 1,
    devices: 24,
    patience: 6,
    sim: { gpus: 128, hours: 48, faults: 0.075 },
  },
};

export function trainProgram(): Command {
  return new Command('train')
    .description('Train a model and write models/<name>/<version>/ (tfjs, model.json, model.onnx)')
    .addOption(new Option('--model <family>', 'model family').choices(FAMILIES).makeOptionMandatory())
    .option('--source <source>', 'sim | questdb | csv:<path>', source, 'sim')
    .option('--name <name>', 'model name (default: the family)')
    .option('--version <version>', 'version folder (default: UTC timestamp, e.g. 20261128T061500Z)')
    .option('--out <dir>', 'models root folder', 'models')
    .option('--epochs <n>', 'maximum epochs (default per family)', int('--epochs', 1))
    .option('--batch-size <n>', 'batch size', int('--batch-size', 1))
    .option('--learning-rate <x>', 'Adam learning rate', positive('--learning-rate'))
    .option('--patience <n>', 'early-stopping patience, epochs (default per family)', int('--patience', 1))
    .option('--window <n>', 'window length, samples', int('--window', 2), 30)
    .option(
      '--stride <n>',
      'keep every n-th training window (fault/ttf: negatives only; default per family)',
      int('--stride', 1),
    )
    .option('--horizon <n>', 'fault horizon H, samples (default 180 = 30 min)', int('--horizon', 1), 180)
    .option('--ttf-cap <n>', 'cap on the time-to-failure target, samples', int('--ttf-cap', 1), 360)
    .option('--units <n>', 'LSTM units (MLP: hidden width / 2)', int('--units', 1))
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
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(`${s.trim().split('\n')[0]}\n`) });
}

type Parsed = Record<string, unknown> & { model: ModelFamily; source: string };

function sourceSpec(p: Parsed, fam: ModelFamily): SourceSpec {
  const d = DEFAULTS[fam].sim;
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
      minRows: p.window as number,
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
  const src = sourceSpec(p, fam);
  return {
    family: fam,
    source: src,
    name: p.name as string | undefined,
    version: p.version as string | undefined,
    out: p.out as string,
    backend: p.backend as string | undefined,
    onnx: p.onnx !== false,
    features: p.features as string[] | undefined,
    windowLength: p.window as number,
    // CSV files are small next to a simulated fleet: every window counts.
    trainStride: (p.stride as number | undefined) ?? (src.kind === 'csv' ? 1 : DEFAULTS[fam].stride),
    maxEntities: (p.maxDevices as number | undefined) ?? DEFAULTS[fam].devices,
    fractions: fractions(p, src),
    horizonSteps: p.horizon as number,
    ttfCapSteps: p.ttfCap as number,
    units: p.units as number | undefined,
    latentUnits: p.latent as number | undefined,
    learningRate: p.learningRate as number | undefined,
    detection: p.detection as 'sliding' | 'threshold' | undefined,
    seed: p.seed as number,
    trainer: {
      epochs: (p.epochs as number | undefined) ?? DEFAULTS[fam].epochs,
      batchSize: (p.batchSize as number | undefined) ?? DEFAULTS[fam].batchSize,
      patience: (p.patience as number | undefined) ?? DEFAULTS[fam].patience,
      progress: progress as 'auto' | 'bar' | 'lines' | 'none',
    },
    log,
  };
}

/** The CLI: returns the exit code (0 ok, 2 bad arguments, 1 failure). */
export async function main(argv: readonly string[]): Promise<number> {
  const logger = pino({ level: loadConfig().logLevel }, pino.destination(2));
  const log: RunOptions['log'] = { info: (o, m) => logger.info(o, m), warn: (o, m) => logger.warn(o, m) };
  let opts: RunOptions;
  try {
    opts = runOptions(argv, log);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2; // help/version print and exit 0
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  try {
    const { dir, meta } = await runTraining(opts);
    process.stdout.write(`${JSON.stringify({ dir, name: meta.name, version: meta.version, metrics: meta.metrics })}\n`);
    return 0;
  } catch (err) {
    const code = err instanceof AppError ? err.code : 'TRAINING_FAILED';
    process.stderr.write(`error: ${code}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
