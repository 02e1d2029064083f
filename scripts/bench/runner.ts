/**
 * Runs bench suites one after another and writes each report as <out>/<suite>-<timestamp>.{json,md} with the
 * machine, the method and the sizes. A suite that throws does not stop the others: the runner reports its name,
 * the error and the stack, and returns it among the failures so the command exits non-zero (CI fails on it).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import type { BenchContext, BenchReport, BenchSuite } from './types.js';

/** Each suite's module, loaded only when it runs (they pull in tfjs, ONNX Runtime, the API). */
const MODULES = {
  ingest: () => import('./ingest.js'),
  train: () => import('./train.js'),
  score: () => import('./score.js'),
  queue: () => import('./queue.js'),
  forecast: () => import('./forecast.js'),
  health: () => import('./health.js'),
} satisfies Record<string, () => Promise<BenchSuite>>;

export type SuiteName = keyof typeof MODULES;
export const SUITES = Object.keys(MODULES) as SuiteName[];

export function machine() {
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpus: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown'}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  };
}

export function markdown(report: BenchReport, when: string, ctx: BenchContext): string {
  const cols = [...new Set(report.rows.flatMap((r) => Object.keys(r)))];
  const lines = [
    `# bench ${report.suite} — ${when}`,
    '',
    `Machine: ${JSON.stringify(machine())}`,
    '',
    ...(ctx.smoke ? ['Size: **smoke** (proves the suite runs; the figures are not measurements)', ''] : []),
    `Method: ${report.method}`,
    '',
    `| ${cols.join(' | ')} |`,
    `| ${cols.map(() => '---').join(' | ')} |`,
    ...report.rows.map((r) => `| ${cols.map((c) => String(r[c] ?? '')).join(' | ')} |`),
    '',
    ...(report.summary && Object.keys(report.summary).length > 0
      ? ['## Summary', '', ...Object.entries(report.summary).map(([k, v]) => `- ${k}: ${v}`), '']
      : []),
  ];
  return lines.join('\n');
}

export interface RunOptions {
  readonly outDir: string;
  /** Loads a suite's module. @defaultValue import of ./<suite>.ts */
  readonly load?: (suite: SuiteName) => Promise<BenchSuite>;
  /** Where reports go. @defaultValue console.log */
  readonly print?: (text: string) => void;
  /** Where failures go. @defaultValue console.error */
  readonly printError?: (text: string) => void;
}

/** The error as a reader needs it: its stack (which starts with the message), its cause, or what was thrown. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return inspect(err, { depth: 4 });
  return `non-Error thrown: ${inspect(err, { depth: 4 })}`;
}

/** Runs `suites` in order; resolves to the names of those that failed. */
export async function runSuites(suites: readonly SuiteName[], ctx: BenchContext, opts: RunOptions): Promise<string[]> {
  const load = opts.load ?? ((suite: SuiteName): Promise<BenchSuite> => MODULES[suite]());
  const print = opts.print ?? ((t: string) => console.log(t));
  const printError = opts.printError ?? ((t: string) => console.error(t));
  await mkdir(opts.outDir, { recursive: true });
  const failed: string[] = [];
  for (const suite of suites) {
    try {
      const report = await (await load(suite)).run(ctx);
      const when = new Date().toISOString();
      const base = path.join(opts.outDir, `${suite}-${when.replace(/[:.]/g, '-')}`);
      const json = { when, machine: machine(), smoke: ctx.smoke, sizes: ctx.sizes, ...report };
      await writeFile(`${base}.json`, JSON.stringify(json, null, 2));
      const md = markdown(report, when, ctx);
      await writeFile(`${base}.md`, md);
      print(md);
    } catch (err) {
      failed.push(suite);
      printError(`bench suite "${suite}" failed:\n${describeError(err)}`);
    }
  }
  return failed;
}
