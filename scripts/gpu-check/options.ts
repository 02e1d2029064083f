/**
 * gpu-check options: what to measure and how much, with defaults sized so the whole check finishes in under
 * five minutes on a two-core CPU host (where only wasm and cpu run) and stays meaningful on a GPU host.
 */
import os from 'node:os';
import { Command, InvalidArgumentError } from 'commander';

export interface GpuCheckOptions {
  /** Where results.json and results.md go. @defaultValue `gpu-check-results` */
  readonly outDir: string;
  /** Windows in the training epoch (the scoring batches cycle through the same windows). @defaultValue 1024 */
  readonly windows: number;
  /** Samples per window (10 s each). @defaultValue 30 */
  readonly windowLength: number;
  /** LSTM units of the anomaly detector. @defaultValue 32 (the product default) */
  readonly units: number;
  /** Training batch size. @defaultValue 64 */
  readonly batchSize: number;
  /** TensorFlow.js backends to measure; empty: every one available here. */
  readonly backends: readonly string[];
  /** ONNX Runtime execution providers to measure, GPU first; `cpu` is the reference for agreement. */
  readonly providers: readonly string[];
  readonly batchSizes: readonly number[];
  /** Largest allowed |GPU - CPU| over every output element. @defaultValue 1e-3 */
  readonly tolerance: number;
  /** Wall-clock budget; steps that would start after it are skipped (and say so). @defaultValue 270 */
  readonly budgetSeconds: number;
  /** Minimum timed seconds per (provider, batch size). @defaultValue 1 */
  readonly minScoreSeconds: number;
  /** ONNX Runtime intra-op threads for the CPU provider. @defaultValue all cores */
  readonly intraOpThreads: number;
  readonly seed: number;
}

/** The anomaly detector's inputs: gauges plus two counter deltas, all simulated by datasets/simulator. */
export const CHECK_FEATURES = [
  'gpu_temp_c',
  'mem_temp_c',
  'power_w',
  'sm_clock_mhz',
  'mem_clock_mhz',
  'gpu_util',
  'delta:ecc_sbe_volatile',
  'delta:pcie_replay_count',
] as const;

export const GPU_CHECK_DEFAULTS: GpuCheckOptions = Object.freeze({
  outDir: 'gpu-check-results',
  windows: 1024,
  windowLength: 30,
  units: 32,
  batchSize: 64,
  backends: [],
  providers: ['webgpu', 'cpu'],
  batchSizes: [1, 64, 1024],
  tolerance: 1e-3,
  budgetSeconds: 270,
  minScoreSeconds: 1,
  intraOpThreads: os.availableParallelism(),
  seed: 42,
});

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`must be an integer >= 1, got "${v}"`);
  return n;
}

function positiveNumber(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`must be a number > 0, got "${v}"`);
  return n;
}

const list = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

const intList = (v: string): number[] => list(v).map(positiveInt);

/** Parse `argv` (without node and script) into options; unknown flags and bad values exit with a usage error. */
export function parseOptions(argv: readonly string[]): GpuCheckOptions {
  const d = GPU_CHECK_DEFAULTS;
  const cmd = new Command('gpu-check')
    .description('Measure TensorFlow.js training and ONNX Runtime scoring on every backend this host offers')
    .option('--out <dir>', 'results folder', d.outDir)
    .option('--windows <n>', 'windows in the training epoch', positiveInt, d.windows)
    .option('--window-length <n>', 'samples per window', positiveInt, d.windowLength)
    .option('--units <n>', 'LSTM units', positiveInt, d.units)
    .option('--batch-size <n>', 'training batch size', positiveInt, d.batchSize)
    .option('--backends <list>', 'TensorFlow.js backends (default: all available)', list, [...d.backends])
    .option('--providers <list>', 'ONNX Runtime execution providers', list, [...d.providers])
    .option('--batch-sizes <list>', 'scoring batch sizes', intList, [...d.batchSizes])
    .option('--tolerance <x>', 'largest allowed |GPU - CPU| output difference', positiveNumber, d.tolerance)
    .option('--budget <seconds>', 'wall-clock budget', positiveNumber, d.budgetSeconds)
    .option('--min-score-seconds <s>', 'timed seconds per provider and batch size', positiveNumber, d.minScoreSeconds)
    .option('--threads <n>', 'ONNX Runtime intra-op threads', positiveInt, d.intraOpThreads)
    .option('--seed <n>', 'simulation and model seed', positiveInt, d.seed)
    .allowExcessArguments(false)
    .exitOverride(); // throw CommanderError (help, bad values) instead of exiting: the caller decides
  cmd.parse([...argv], { from: 'user' });
  const o = cmd.opts<{
    out: string;
    windows: number;
    windowLength: number;
    units: number;
    batchSize: number;
    backends: string[];
    providers: string[];
    batchSizes: number[];
    tolerance: number;
    budget: number;
    minScoreSeconds: number;
    threads: number;
    seed: number;
  }>();
  return Object.freeze({
    outDir: o.out,
    windows: o.windows,
    windowLength: o.windowLength,
    units: o.units,
    batchSize: o.batchSize,
    backends: o.backends,
    providers: o.providers.includes('cpu') ? o.providers : [...o.providers, 'cpu'],
    batchSizes: [...new Set(o.batchSizes)].sort((a, b) => a - b),
    tolerance: o.tolerance,
    budgetSeconds: o.budget,
    minScoreSeconds: o.minScoreSeconds,
    intraOpThreads: o.threads,
    seed: o.seed,
  });
}
