/**
 * `npm run benchmark -- nab|cmapss [--data <dir>] [--subset <list>] [--out <dir>] [--train "<flags>"]`
 * Runs a public benchmark end to end with the project's own train and score code (training/benchmark), prints
 * progress on stderr and one summary line per subset on stdout, and writes benchmark.json, benchmark.md and SVG
 * plots to --out. Exit codes: 0 ok, 2 bad arguments, 1 failure.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Argument, Command, CommanderError } from 'commander';
import { AppError } from '../../src/errors.js';
import { CMAPSS_SUBSETS, cmapssMarkdown, cmapssSummaryLine, runCmapss } from '../benchmark/cmapss.js';
import { NAB_SUBSETS, nabSummaryLine, runNab } from '../benchmark/nab.js';
import { runNabBaseline } from '../benchmark/nab-baseline.js';
import { type BenchmarkReport, nabMarkdown, writeBenchmark } from '../benchmark/report.js';
import { nonNegativeInt, oneLineErrors } from './cli-args.js';
import { usageExit } from './run-main.js';

const list = (raw: string): string[] =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function benchmarkProgram(): Command {
  return new Command('benchmark')
    .description('Run a public benchmark (NAB anomaly detection, C-MAPSS remaining useful life) with the CLI defaults')
    .addArgument(new Argument('<kind>', 'which benchmark').choices(['nab', 'cmapss']))
    .option('--data <dir>', 'folder holding nab/ and cmapss/ (see its README)', '../shared/datasets')
    .option(
      '--subset <list>',
      `nab: ${NAB_SUBSETS.join(', ')} (default all); cmapss: ${CMAPSS_SUBSETS.join(', ')} (default FD001)`,
      list,
    )
    .option('--signals <list>', 'nab: only signals whose file name contains one of these', list)
    .option('--folds <n>', 'cmapss: cross-validation folds over the training engines', nonNegativeInt('--folds'), 5)
    .option('--fold-limit <n>', 'cmapss: run only the first n folds (reported as such)', nonNegativeInt('--fold-limit'))
    .option(
      '--cuts <n>',
      'cmapss: seeded cuts per held-out engine, all scored by the fold model; the first is the protocol cut of the headline figure, more show its spread (default: 1)',
      nonNegativeInt('--cuts'),
    )
    .option('--train <flags>', 'extra `npm run train` flags, quoted (default: none, the CLI defaults)', '')
    .option('--out <dir>', 'where benchmark.json, benchmark.md and the plots go (default bench-results/<kind>)')
    .option('--baseline', 'nab: score a model-free rolling-median error with the same detector instead (seconds)')
    .option('--keep-models', 'keep the trained models and score files (default: a temporary folder, removed)')
    .exitOverride()
    .configureOutput(oneLineErrors);
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = benchmarkProgram();
  try {
    program.parse(argv as string[], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return usageExit(err);
    throw err;
  }
  const kind = program.args[0] as 'nab' | 'cmapss';
  const p = program.opts<Record<string, unknown>>();
  const dataDir = p.data as string;
  const out = (p.out as string | undefined) ?? path.join('bench-results', kind);
  const trainArgs = (p.train as string).split(/\s+/).filter(Boolean);
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  // Kept models go to a fresh folder per run (a model version is never overwritten, so a rerun must not collide).
  const workDir = p.keepModels
    ? path.join(out, 'work', new Date().toISOString().replace(/[-:.]/g, ''))
    : await mkdtemp(path.join(tmpdir(), 'fleetsense-bench-'));
  const started = performance.now();
  try {
    let summary: string[];
    let markdown: string[];
    let report: Partial<BenchmarkReport>;
    if (kind === 'nab') {
      const subsets = (p.subset as string[] | undefined) ?? [...NAB_SUBSETS];
      if (p.baseline) {
        const baseline = await runNabBaseline(dataDir, subsets);
        summary = baseline.map((r) => `baseline ${nabSummaryLine(r)}`);
        markdown = [
          'Baseline: rolling-median error (30 points), the CSV default detector, no model.',
          '',
          ...nabMarkdown(baseline),
        ];
        report = { nabBaseline: baseline };
      } else {
        const nab = await runNab({
          dataDir,
          workDir,
          subsets,
          signals: p.signals as string[] | undefined,
          trainArgs,
          progress,
        });
        summary = nab.map(nabSummaryLine);
        markdown = nabMarkdown(nab);
        report = { nab };
      }
    } else {
      const subsets = (p.subset as string[] | undefined) ?? ['FD001'];
      const cmapss = await runCmapss({
        dataDir,
        workDir,
        subsets,
        folds: p.folds as number,
        foldLimit: p.foldLimit as number | undefined,
        cuts: p.cuts as number | undefined,
        trainArgs,
        progress,
      });
      summary = cmapss.map(cmapssSummaryLine);
      markdown = cmapssMarkdown(cmapss);
      report = { cmapss };
    }
    const full: BenchmarkReport = {
      kind,
      createdAt: new Date().toISOString(),
      dataDir,
      trainArgs,
      seconds: (performance.now() - started) / 1000,
      summary,
      ...report,
    };
    const files = await writeBenchmark(out, full, markdown);
    for (const line of summary) process.stdout.write(`${line}\n`);
    progress(`written: ${files.join(', ')}`);
    return 0;
  } catch (err) {
    const code = err instanceof AppError ? err.code : 'BENCHMARK_FAILED';
    process.stderr.write(`error: ${code}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    if (!p.keepModels) await rm(workDir, { recursive: true, force: true });
  }
}
