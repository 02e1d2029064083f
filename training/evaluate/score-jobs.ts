/**
 * Score a CSV of job rows with a throughput model: the input columns plus `predicted_throughput` (empty on a row
 * that lacks an input the model needs; the summary counts them). Text cells are categorical symbols (gpu_model).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../src/errors.js';
import { rawFields } from '../../src/features/derived.js';
import { parseOneHot, throughputFromOutput, throughputRows } from '../../src/features/model-inputs.js';
import { readCsvTable } from '../data/csv-frame.js';
import type { Predictor } from './predictor.js';
import { jobsFromCsvTable } from './throughput-eval.js';

export interface JobScoreSummary {
  readonly rows: number;
  readonly scored: number;
  readonly skipped: number;
  /** Inputs a skipped row lacked, with how many rows lacked each. */
  readonly missing: Readonly<Record<string, number>>;
}

function csvField(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export async function scoreJobsCsv(p: Predictor, csv: string, outDir: string): Promise<JobScoreSummary> {
  const table = await readCsvTable(csv);
  const { header, rows } = table;
  const jobs = jobsFromCsvTable(table);
  const fields = rawFields(p.meta.features.filter((f) => !parseOneHot(f)));
  const absent = fields.filter((f) => !header.includes(f));
  if (absent.length > 0) {
    throw new AppError(
      'VALIDATION_FAILED',
      `CSV lacks column(s) ${absent.join(', ')}; columns present: ${header.join(', ')}`,
      {
        missing: absent,
        columns: header,
      },
    );
  }
  const missing: Record<string, number> = {};
  const ok: number[] = [];
  jobs.forEach((j, i) => {
    const lacking = fields.filter((f) => !Number.isFinite(j.values[f]));
    for (const f of lacking) missing[f] = (missing[f] ?? 0) + 1;
    if (lacking.length === 0) ok.push(i);
  });
  const predicted = new Map<number, number>();
  if (ok.length > 0) {
    const x = throughputRows(
      ok.map((i) => jobs[i]),
      p.meta,
    );
    const y = throughputFromOutput(await p.predict(x, ok.length), p.meta);
    ok.forEach((i, k) => {
      predicted.set(i, y[k]);
    });
  }
  const lines = [[...header, 'predicted_throughput'].map(csvField).join(',')];
  rows.forEach((r, i) => {
    lines.push([...r.map(csvField), predicted.get(i) ?? ''].join(','));
  });
  await writeFile(path.join(outDir, 'scores.csv'), `${lines.join('\n')}\n`);
  return { rows: rows.length, scored: ok.length, skipped: rows.length - ok.length, missing };
}
