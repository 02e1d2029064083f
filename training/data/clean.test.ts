import { describe, expect, it } from 'vitest';
import { cleanDataset } from './clean.js';
import { readCsvDataset } from './csv.js';

describe('cleanDataset', () => {
  it('drops duplicate timestamps keeping the last record', async () => {
    const ds = await readCsvDataset('ts,x,y\n1,1,5\n2,2,6\n2,9,7\n3,3,8');
    const { dataset, report } = cleanDataset(ds);
    expect(report.duplicatesDropped).toBe(1);
    expect(dataset.source.cleaning).toEqual(report);
    expect(dataset.source.sha256).toBe(ds.source.sha256);
    expect(Array.from(dataset.entities[0].series.values)).toEqual([1, 5, 9, 7, 3, 8]);
  });

  it('fills short gaps linearly (or forward) and splits beyond the limit', async () => {
    // steps 1..3, gap of 2 missing (4, 5), then 6..7, gap of 5 missing (8..12), then 13..14
    const csv = 'step,x,y\n1,1,0\n2,2,1\n3,3,0\n6,6,1\n7,7,0\n13,13,1\n14,14,0\n';
    const lin = cleanDataset(await readCsvDataset(csv), { maxFillSteps: 3 });
    expect(lin.report.gapsFilled).toBe(1);
    expect(lin.report.rowsInserted).toBe(2);
    expect(lin.report.gapsSplit).toBe(1);
    expect(lin.dataset.entities.map((e) => e.entity)).toEqual(['all', 'all#2']);
    const first = lin.dataset.entities[0].series;
    expect(Array.from(first.ts)).toEqual([1, 2, 3, 4, 5, 6, 7].map((s) => s * 1000));
    expect(Array.from(first.values.filter((_, i) => i % 2 === 0))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(lin.report.nanCellsFilled).toBe(4);

    const ff = cleanDataset(await readCsvDataset(csv), { maxFillSteps: 3, fill: 'ffill' });
    expect(Array.from(ff.dataset.entities[0].series.values.filter((_, i) => i % 2 === 0))).toEqual([
      1, 2, 3, 3, 3, 6, 7,
    ]);

    const all = cleanDataset(await readCsvDataset(csv), { maxFillSteps: 3, beyondMaxGap: 'fill' });
    expect(all.dataset.entities).toHaveLength(1);
    expect(all.dataset.entities[0].series.ts.length).toBe(14);
  });

  it('drops rows with a long run of missing cells and reports it', async () => {
    const csv = 'ts,x,y\n1,1,1\n2,,2\n3,,3\n4,,1\n5,,2\n6,6,3\n7,7,1\n';
    const { dataset, report } = cleanDataset(await readCsvDataset(csv), { maxFillSteps: 2 });
    expect(report.rowsDropped).toBe(4);
    expect(dataset.entities.map((e) => Array.from(e.series.ts))).toEqual([[1000], [6000, 7000]]);
    const short = cleanDataset(await readCsvDataset(csv), { maxFillSteps: 2, minRows: 2 });
    expect(short.report.segmentsDropped).toBe(1);
    expect(short.report.warnings.join(' ')).toMatch(/shorter than 2 rows/);
  });

  it('drops constant columns with a warning, logged', async () => {
    const warned: string[] = [];
    const ds = await readCsvDataset('ts,a,b,c\n1,1,7,\n2,2,7,\n3,3,7,\n');
    const { dataset, report } = cleanDataset(ds, {}, { warn: (_o, msg) => warned.push(msg) });
    expect(report.constantColumnsDropped).toEqual(['b', 'c']);
    expect(dataset.features).toEqual(['a']);
    expect(Array.from(dataset.entities[0].series.values)).toEqual([1, 2, 3]);
    expect(warned[0]).toMatch(/constant column\(s\): b, c/);
  });

  it('recomputes time-to-failure after filling', async () => {
    const ds = await readCsvDataset('unit,cycle,x\n1,1,1\n1,2,2\n1,4,4\n', { runToFailure: true });
    const { dataset } = cleanDataset(ds);
    expect(Array.from(dataset.entities[0].ttf!)).toEqual([3, 2, 1, 0]);
  });

  it('fills every gap of an irregularly sampled file rather than splitting it into fragments, and says so', async () => {
    // 200 rows, one every 1 s, but every 5th row arrives 10 s late: gaps everywhere.
    const lines = ['ts,x'];
    let t = 0;
    for (let i = 0; i < 200; i++) {
      t += i % 5 === 4 ? 10 : 1;
      lines.push(`${t},${i % 7}`);
    }
    const ds = await readCsvDataset(`${lines.join('\n')}\n`);
    const warned: string[] = [];
    const { dataset, report } = cleanDataset(ds, { minRows: 30 }, { warn: (_o, m) => warned.push(m) });
    expect(dataset.entities).toHaveLength(1);
    expect(report.rowsOut).toBeGreaterThan(200);
    expect(warned.join(' ')).toMatch(/irregular sampling/);
    // Asked for explicitly, the split stands (and here leaves nothing).
    expect(() => cleanDataset(ds, { minRows: 30, beyondMaxGap: 'split' })).toThrow(/no segment/);
  });
});
