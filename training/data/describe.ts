/**
 * Per-column description of a dataset as read (before cleaning), through a danfojs-node frame: count of present
 * values, missing cells (empty or NaN), min, max and whether the column holds one value only. It goes into
 * model.json (`source.columns`) and the evaluation report, so a user sees what the model was given. Runs once per
 * file read, never per window or request.
 */
import type { ColumnSummary } from '../../src/features/model-metadata.js';
import { loadDanfo } from './csv-frame.js';
import type { Dataset } from './types.js';

export async function describeColumns(ds: Dataset): Promise<ColumnSummary[]> {
  const width = ds.features.length;
  const total = ds.entities.reduce((n, e) => n + e.series.ts.length, 0);
  if (width === 0 || total === 0) return [];
  const columns: Record<string, number[]> = {};
  ds.features.forEach((f, c) => {
    const col = new Array<number>(total);
    let r = 0;
    for (const e of ds.entities) {
      const v = e.series.values;
      for (let i = c; i < v.length; i += width) col[r++] = v[i];
    }
    columns[f] = col;
  });
  const dfd = await loadDanfo();
  const frame = new dfd.DataFrame(columns);
  const missing = frame.isNa().sum({ axis: 0 }).values as number[];
  const out: ColumnSummary[] = [];
  ds.features.forEach((name, c) => {
    const count = total - missing[c];
    const present = frame.column(name).dropNa();
    const min = count > 0 ? (present.min() as number) : Number.NaN;
    const max = count > 0 ? (present.max() as number) : Number.NaN;
    out.push({ name, count, missing: missing[c], min, max, constant: count === 0 || min === max });
  });
  return out;
}

/** The description as markdown table rows. */
export function columnsMarkdown(columns: readonly ColumnSummary[]): string[] {
  if (columns.length === 0) return [];
  const n = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(6))) : 'n/a');
  return [
    '| column | count | missing | min | max | constant |',
    '| --- | --- | --- | --- | --- | --- |',
    ...columns.map(
      (c) => `| ${c.name} | ${c.count} | ${c.missing} | ${n(c.min)} | ${n(c.max)} | ${c.constant ? 'yes' : ''} |`,
    ),
  ];
}
