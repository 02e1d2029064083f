/**
 * `npm run bench -- <suite> [...]`: runs benchmark suites from scripts/bench/<suite>.ts. Each suite compares its
 * candidates side by side in one run and returns rows; the runner prints a table and writes
 * bench-results/<suite>-<timestamp>.{json,md} with the machine and method, so results are reproducible and
 * comparable. Performance claims come from here, never from timed tests.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BenchReport } from './bench/types.js';

const SUITES = ['ingest', 'train', 'score', 'queue', 'health'] as const;

function machine() {
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpus: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown'}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  };
}

function markdown(report: BenchReport, when: string): string {
  const cols = [...new Set(report.rows.flatMap((r) => Object.keys(r)))];
  const lines = [
    `# bench ${report.suite} — ${when}`,
    '',
    `Machine: ${JSON.stringify(machine())}`,
    '',
    `Method: ${report.method}`,
    '',
    `| ${cols.join(' | ')} |`,
    `| ${cols.map(() => '---').join(' | ')} |`,
    ...report.rows.map((r) => `| ${cols.map((c) => String(r[c] ?? '')).join(' | ')} |`),
    '',
    ...(report.summary
      ? ['## Summary', '', ...Object.entries(report.summary).map(([k, v]) => `- ${k}: ${v}`), '']
      : []),
  ];
  return lines.join('\n');
}

async function main() {
  const args = process.argv.slice(2);
  const suites = args.length === 0 ? [...SUITES] : args;
  for (const suite of suites) {
    if (!(SUITES as readonly string[]).includes(suite)) {
      console.error(`unknown bench suite "${suite}"; choose from ${SUITES.join(', ')}`);
      process.exit(2);
    }
  }
  await mkdir('bench-results', { recursive: true });
  for (const suite of suites) {
    const mod = (await import(`./bench/${suite}.js`)) as { run: () => Promise<BenchReport> };
    const report = await mod.run();
    const when = new Date().toISOString();
    const base = path.join('bench-results', `${suite}-${when.replace(/[:.]/g, '-')}`);
    await writeFile(`${base}.json`, JSON.stringify({ when, machine: machine(), ...report }, null, 2));
    const md = markdown(report, when);
    await writeFile(`${base}.md`, md);
    console.log(md);
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
