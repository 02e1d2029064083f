/**
 * `npm run simulate -- <mode> [options]`: the deterministic GPU-fleet simulator from the command line.
 *
 *   backfill --hours N      write N simulated hours (ending now unless --start) to QuestDB as fast as it accepts;
 *                           --until T writes only the run's part before T (the rest is the stream's)
 *   stream [--rate R]       live rows, R steps per second (default: real time), until Ctrl-C / SIGTERM;
 *                           --resume T continues the run of the same --start/--seed/--hours at T, where its
 *                           backfill ended: the same fleet in the same state, so nothing steps at the seam
 *   csv --out DIR           gpu_metrics.csv, facility_metrics.csv, job_metrics.csv, fault_labels.csv
 *   samples [--out DIR]     the small CSV samples with unseen column names (datasets/samples)
 *
 * Common options: --seed --gpus (defaults SIM_SEED, SIM_GPUS) --start (ISO time or epoch ms) --hours
 * --faults-per-gpu-day. Bad arguments print one line and exit non-zero.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { faultPlan, SAMPLE_PERIOD_MS, type SimOptions } from '../datasets/simulator/index.js';
import { stepProgress } from '../datasets/simulator/progress.js';
import { SAMPLE_FILES } from '../datasets/simulator/samples.js';
import { backfill, type RunSummary, writeCsvRun } from '../datasets/simulator/sinks.js';
import { streamLive } from '../datasets/simulator/stream.js';
import { loadConfig } from '../src/config.js';
import { AppError } from '../src/errors.js';

interface CommonFlags {
  seed?: number;
  gpus?: number;
  start?: number;
  hours: number;
  faultsPerGpuDay?: number;
  progress: 'auto' | 'bar' | 'lines' | 'none';
}

function integer(min: number) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`must be an integer >= ${min}`);
    return n;
  };
}

function positive(raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number > 0');
  return n;
}

function nonNegative(raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number >= 0');
  return n;
}

function timestamp(raw: string): number {
  const n = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('must be an ISO time (2026-01-01T00:00:00Z) or epoch ms');
  return n;
}

function progressMode(raw: string): CommonFlags['progress'] {
  if (raw === 'auto' || raw === 'bar' || raw === 'lines' || raw === 'none') return raw;
  throw new InvalidArgumentError('must be auto, bar, lines or none');
}

const floorToPeriod = (t: number) => Math.floor(t / SAMPLE_PERIOD_MS) * SAMPLE_PERIOD_MS;

function simOptions(flags: CommonFlags, defaultStart: number): SimOptions {
  const cfg = loadConfig().simulator;
  return {
    seed: flags.seed ?? cfg.seed,
    gpus: flags.gpus ?? cfg.gpus,
    start: flags.start ?? defaultStart,
    hours: flags.hours,
    faultsPerGpuDay: flags.faultsPerGpuDay,
  };
}

function withCommon(cmd: Command, defaultHours: string): Command {
  return cmd
    .option('--seed <n>', 'random seed (default: SIM_SEED or 42)', integer(0))
    .option('--gpus <n>', 'fleet size (default: SIM_GPUS or 256)', integer(1))
    .option('--start <time>', 'first sample, ISO time or epoch ms', timestamp)
    .option('--hours <h>', 'simulated hours', positive, Number(defaultHours))
    .option('--faults-per-gpu-day <r>', 'injected faults per GPU per day (default 0.075)', nonNegative)
    .option('--progress <mode>', 'auto | bar | lines | none', progressMode, 'auto');
}

function report(what: string, summary: RunSummary, seconds: number): void {
  const rows = summary.gpuRows + summary.facilityRows + summary.jobRows;
  const line = {
    mode: what,
    steps: summary.steps,
    gpuRows: summary.gpuRows,
    facilityRows: summary.facilityRows,
    jobRows: summary.jobRows,
    faults: summary.labels.length,
    seconds: Number(seconds.toFixed(2)),
    rowsPerSecond: Math.round(rows / Math.max(seconds, 1e-3)),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/** Schema first (idempotent), then a writer. Imported lazily: the csv and samples modes need no QuestDB. */
async function openWriter() {
  const { TelemetryReader } = await import('../src/telemetry/reader.js');
  const { TelemetryWriter } = await import('../src/telemetry/writer.js');
  const { migrate } = await import('../src/telemetry/migrate.js');
  const cfg = loadConfig().questdb;
  const reader = TelemetryReader.connect(cfg);
  try {
    await migrate(reader);
  } finally {
    await reader.close();
  }
  return TelemetryWriter.connect(cfg);
}

/** A part boundary must fall inside the run, else the part is empty or the whole run. */
function checkInRun(flag: string, t: number | undefined, opts: SimOptions): void {
  if (t === undefined) return;
  const end = opts.start + opts.hours * 3_600_000;
  if (!(t > opts.start && t < end)) {
    throw new AppError(
      'VALIDATION_FAILED',
      `${flag} ${new Date(t).toISOString()} is outside the run [${new Date(opts.start).toISOString()}, ` +
        `${new Date(end).toISOString()})`,
      { field: flag },
    );
  }
}

async function runBackfill(flags: CommonFlags & { until?: number }): Promise<void> {
  const opts = simOptions(flags, floorToPeriod(Date.now() - flags.hours * 3_600_000));
  faultPlan(opts); // validates the options before anything connects
  checkInRun('--until', flags.until, opts);
  const writer = await openWriter();
  const bar = stepProgress('backfill', flags.progress);
  const t0 = performance.now();
  try {
    const summary = await backfill(writer, opts, (d, t) => bar.update(d, t), { to: flags.until });
    bar.stop();
    await writer.close();
    report('backfill', summary, (performance.now() - t0) / 1000);
  } catch (err) {
    bar.stop();
    await writer.close().catch(() => {});
    throw err;
  }
}

async function runStream(flags: CommonFlags & { rate?: number; resume?: number }): Promise<void> {
  const rate = flags.rate ?? 1000 / SAMPLE_PERIOD_MS;
  if (flags.resume !== undefined && flags.start === undefined) {
    throw new AppError('VALIDATION_FAILED', '--resume needs --start: the start of the run the backfill wrote', {
      field: '--start',
    });
  }
  const opts = simOptions(flags, floorToPeriod(Date.now()));
  faultPlan(opts);
  checkInRun('--resume', flags.resume, opts);
  const writer = await openWriter();
  const ctl = new AbortController();
  const stop = (sig: string) => {
    process.stderr.write(`stream: ${sig} received, flushing and closing\n`);
    ctl.abort();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.stderr.write(
    `stream: ${opts.gpus} GPUs, ${rate} steps/s, up to ${flags.hours} simulated hours; Ctrl-C stops\n`,
  );
  let lastLog = 0;
  const t0 = performance.now();
  try {
    const summary = await streamLive(writer, opts, {
      rate,
      resumeAt: flags.resume,
      signal: ctl.signal,
      progress: (done, total) => {
        if (Date.now() - lastLog > 15_000 || done === total) {
          lastLog = Date.now();
          process.stderr.write(`stream: ${done}/${total} steps\n`);
        }
      },
    });
    report('stream', summary, (performance.now() - t0) / 1000);
  } finally {
    await writer.close();
  }
}

async function runCsv(flags: CommonFlags & { out: string }): Promise<void> {
  const opts = simOptions(flags, floorToPeriod(Date.now() - flags.hours * 3_600_000));
  faultPlan(opts);
  const bar = stepProgress('csv', flags.progress);
  const t0 = performance.now();
  try {
    const summary = await writeCsvRun(flags.out, opts, (d, t) => bar.update(d, t));
    bar.stop();
    report('csv', summary, (performance.now() - t0) / 1000);
  } catch (err) {
    bar.stop();
    throw err;
  }
}

async function runSamples(flags: { out: string }): Promise<void> {
  for (const [name, make] of Object.entries(SAMPLE_FILES)) {
    const path = join(flags.out, name);
    const text = make();
    await writeFile(path, text);
    process.stdout.write(`${path} ${text.length} bytes\n`);
  }
}

function fail(err: unknown): never {
  const message = err instanceof AppError || err instanceof Error ? err.message : String(err);
  process.stderr.write(`simulate: ${message}\n`);
  process.exit(err instanceof AppError && err.status < 500 ? 2 : 1);
}

const program = new Command('simulate')
  .description('Deterministic GPU-fleet simulator with labelled fault injection')
  .configureOutput({ outputError: (text, write) => write(text.split('\n')[0] + '\n') });

withCommon(program.command('backfill').description('write simulated history to QuestDB as fast as it accepts'), '24')
  .option(
    '--until <time>',
    "write only the run's steps before this time (ISO or epoch ms); the stream resumes here",
    timestamp,
  )
  .action((flags: CommonFlags & { until?: number }) => runBackfill(flags).catch(fail));
withCommon(program.command('stream').description('stream live rows to QuestDB until SIGINT/SIGTERM'), '168')
  .option('--rate <steps>', `steps per second (default ${1000 / SAMPLE_PERIOD_MS}: real time)`, positive)
  .option(
    '--resume <time>',
    'continue the run (same --start, --seed, --hours, --gpus) from this time, where its backfill --until ended',
    timestamp,
  )
  .action((flags: CommonFlags & { rate?: number; resume?: number }) => runStream(flags).catch(fail));
withCommon(program.command('csv').description('write a simulated run as CSV files'), '24')
  .requiredOption('--out <dir>', 'output folder')
  .action((flags: CommonFlags & { out: string }) => runCsv(flags).catch(fail));
program
  .command('samples')
  .description('write the small sample CSVs (unseen column names) used to test schema handling')
  .option('--out <dir>', 'output folder', 'datasets/samples')
  .action((flags: { out: string }) => runSamples(flags).catch(fail));

await program.parseAsync(process.argv);
