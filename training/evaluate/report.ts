/** Writes an evaluation report: report.json (machine-readable), report.md (for people) and the SVG plots. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ColumnSummary, ModelFamily, ThresholdChoice } from '../../src/features/model-metadata.js';
import { columnsMarkdown } from '../data/describe.js';

export interface EvaluationReport {
  readonly model: {
    readonly name: string;
    readonly version: string;
    readonly family: ModelFamily;
    readonly dir: string;
    readonly runtime: 'onnx' | 'tfjs';
  };
  readonly source: {
    readonly spec: string;
    readonly rows: number;
    readonly entities: number;
    readonly samplePeriodMs: number;
    readonly labelled: boolean;
    readonly notes: readonly string[];
    /** CSV sources: each feature column as read (training/data/describe.ts). */
    readonly columns?: readonly ColumnSummary[];
  };
  readonly threshold?: ThresholdChoice;
  readonly metrics: Readonly<Record<string, number>>;
  /** First detected intervals (entity, ISO start/end, peak). */
  readonly detections: readonly { entity: string; start: string; end: string; peak: number }[];
  /** Training metrics recorded in model.json, for comparison. */
  readonly trainingMetrics: Readonly<Record<string, number>>;
  readonly plots: readonly string[];
  readonly createdAt: string;
  readonly seconds: number;
}

function num(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Number.isInteger(v) ? String(v) : Number(v.toPrecision(4)).toString();
}

export function reportMarkdown(r: EvaluationReport): string {
  const lines = [
    `# Evaluation: ${r.model.name} ${r.model.version} (${r.model.family})`,
    '',
    `- model: \`${r.model.dir}\` run with ${r.model.runtime === 'onnx' ? 'ONNX Runtime (model.onnx)' : 'TensorFlow.js'}`,
    `- data: \`${r.source.spec}\`, ${r.source.entities} entit${r.source.entities === 1 ? 'y' : 'ies'}, ${r.source.rows} rows, sample period ${r.source.samplePeriodMs} ms${r.source.labelled ? '' : ' (unlabelled: no accuracy metrics)'}`,
    ...r.source.notes.map((n) => `- note: ${n}`),
  ];
  if (r.threshold) {
    const c = r.threshold.candidates ?? {};
    lines.push(
      `- threshold: ${num(r.threshold.value)} (${r.threshold.method}; candidates ${Object.entries(c)
        .map(([k, v]) => `${k} ${num(v)}`)
        .join(', ')})`,
    );
  }
  const columns = columnsMarkdown(r.source.columns ?? []);
  if (columns.length > 0) lines.push('', '## Columns as read', '', ...columns);
  lines.push(
    '',
    `_${r.createdAt}, ${r.seconds.toFixed(1)} s_`,
    '',
    '## Metrics',
    '',
    '| metric | value |',
    '| --- | --- |',
  );
  for (const [k, v] of Object.entries(r.metrics)) lines.push(`| ${k} | ${num(v)} |`);
  if (Object.keys(r.trainingMetrics).length > 0) {
    lines.push('', '## Recorded at training', '', '| metric | value |', '| --- | --- |');
    for (const [k, v] of Object.entries(r.trainingMetrics)) lines.push(`| ${k} | ${num(v)} |`);
  }
  if (r.detections.length > 0) {
    lines.push(
      '',
      '## Detected intervals (first 20)',
      '',
      '| entity | start | end | peak |',
      '| --- | --- | --- | --- |',
    );
    for (const d of r.detections.slice(0, 20)) lines.push(`| ${d.entity} | ${d.start} | ${d.end} | ${num(d.peak)} |`);
  }
  if (r.plots.length > 0) {
    lines.push('', '## Plots', '');
    for (const p of r.plots) lines.push(`![${p}](${p})`, '');
  }
  return `${lines.join('\n')}\n`;
}

/** Write report.json, report.md and each plot into `dir` (created). */
export async function writeReport(
  dir: string,
  report: EvaluationReport,
  plots: Readonly<Record<string, string>>,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, svg] of Object.entries(plots)) await writeFile(path.join(dir, name), svg);
  // JSON has no NaN/Infinity: write them as null rather than failing or lying.
  const json = JSON.stringify(report, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
  await writeFile(path.join(dir, 'report.json'), `${json}\n`);
  await writeFile(path.join(dir, 'report.md'), reportMarkdown(report));
}
