/** Benchmark output: benchmark.json (everything), benchmark.md (tables against the published figures), SVG plots. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chart } from '../evaluate/svg.js';
import { type NabSubsetResult, nabSummaryLine } from './nab.js';

export interface BenchmarkReport {
  readonly kind: 'nab' | 'cmapss';
  readonly createdAt: string;
  readonly dataDir: string;
  readonly trainArgs: readonly string[];
  readonly seconds: number;
  readonly summary: readonly string[];
  readonly nab?: readonly NabSubsetResult[];
  readonly nabBaseline?: readonly NabSubsetResult[];
  readonly cmapss?: unknown;
}

const f2 = (v: number) => v.toFixed(2);
const f3 = (v: number) => v.toFixed(3);

export function nabMarkdown(results: readonly NabSubsetResult[]): string[] {
  const lines = [
    '| subset | F1 | precision | recall | TP/FP/FN | best published F1 | signals | train s per signal (max) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of results) {
    const times = r.signals.map((s) => s.trainSeconds);
    const mean = times.reduce((a, b) => a + b, 0) / Math.max(times.length, 1);
    const max = times.reduce((a, b) => Math.max(a, b), 0);
    lines.push(
      `| ${r.subset} | ${f3(r.f1)} | ${f2(r.precision)} | ${f2(r.recall)} | ${r.tp}/${r.fp}/${r.fn} | ${r.published !== undefined ? f3(r.published) : 'n/a'} | ${r.signals.length} | ${mean.toFixed(1)} (${max.toFixed(1)}) |`,
    );
  }
  lines.push('', '| signal | rows | TP/FP/FN | train s | epochs | score s |', '| --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    for (const s of r.signals) {
      lines.push(
        `| ${r.subset}/${s.signal} | ${s.rows} | ${s.tp}/${s.fp}/${s.fn} | ${s.trainSeconds.toFixed(1)} | ${s.epochs} | ${s.scoreSeconds.toFixed(1)} |`,
      );
    }
  }
  return lines;
}

/**
 * One row per signal, time as a fraction of that signal's span (the signals cover different dates): labelled
 * windows in green just above the row, detected intervals in red just below.
 */
function nabPlot(r: NabSubsetResult): string {
  const series = r.signals.flatMap((s, k) => {
    const xs = [...s.labelled, ...s.detected].flatMap((i) => [i.start, i.end]);
    const lo = xs.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
    const hi = xs.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
    const frac = (t: number) => (hi > lo ? (t - lo) / (hi - lo) : 0);
    const bar = (i: { start: number; end: number }, y: number, color: string, name: string) => ({
      name,
      x: [frac(i.start), frac(i.end)],
      y: [y, y],
      color,
    });
    return [
      ...s.labelled.map((i, j) => bar(i, k + 1.15, '#2ca02c', k === 0 && j === 0 ? 'labelled' : '')),
      ...s.detected.map((i, j) => bar(i, k + 0.85, '#d62728', k === 0 && j === 0 ? 'detected' : '')),
    ];
  });
  return chart(series.length > 0 ? series : [{ name: 'none', x: [], y: [] }], {
    title: `${r.subset}: labelled windows (green) and detected intervals (red) per signal`,
    xLabel: "fraction of the signal's labelled-to-detected span",
    yLabel: 'signal #',
    xDomain: [0, 1],
    yDomain: [0, r.signals.length + 1],
  });
}

export async function writeBenchmark(dir: string, report: BenchmarkReport, markdown: string[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files = [path.join(dir, 'benchmark.json'), path.join(dir, 'benchmark.md')];
  await writeFile(files[0], `${JSON.stringify(report, null, 2)}\n`);
  const md = [
    `# Benchmark: ${report.kind}`,
    '',
    `${report.createdAt}, data ${report.dataDir}, train flags: ${report.trainArgs.join(' ') || '(CLI defaults)'}, ${report.seconds.toFixed(0)} s`,
    '',
    '```',
    ...report.summary,
    '```',
    '',
    ...markdown,
  ];
  await writeFile(files[1], `${md.join('\n')}\n`);
  for (const r of report.nab ?? report.nabBaseline ?? []) {
    const f = path.join(dir, `nab-${r.subset}.svg`);
    await writeFile(f, nabPlot(r));
    files.push(f);
  }
  return files;
}

export { nabSummaryLine };
