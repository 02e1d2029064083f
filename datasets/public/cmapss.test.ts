import { describe, expect, it } from 'vitest';
import { readCsvDataset } from '../../training/data/csv.js';
import { CMAPSS_COLUMNS, cmapssCsv, parseCmapss } from './cmapss.js';

const row = (unit: number, cycle: number, s: number) =>
  [unit, cycle, 0.1, -0.2, 100, ...Array.from({ length: 21 }, (_, i) => s + i)].join(' ');

describe('C-MAPSS files', () => {
  const text = `${row(2, 2, 5)}  \n${row(1, 1, 1)}\n${row(2, 1, 4)}\n${row(1, 2, 2)}\n${row(1, 3, 3)}\n`;

  it('groups rows by unit in cycle order', () => {
    const engines = parseCmapss(text);
    expect(engines.map((e) => [e.unit, e.rows.map((r) => r[1])])).toEqual([
      [2, [1, 2]],
      [1, [1, 2, 3]],
    ]);
    expect(engines[1].rows[2][CMAPSS_COLUMNS.indexOf('s_1')]).toBe(3);
  });

  it('rejects a line with the wrong number of values, naming it', () => {
    expect(() => parseCmapss('1 2 3\n')).toThrow(/line 1: 3 values, expected 26/);
  });

  it('writes a CSV the run-to-failure loader reads, cut per unit when asked', async () => {
    const csv = cmapssCsv(parseCmapss(text), (unit) => (unit === 1 ? 2 : 99));
    const ds = await readCsvDataset(csv, { runToFailure: true });
    expect(ds.entityColumn).toBe('unit');
    expect(ds.timeColumn).toBe('cycle');
    expect(ds.entities.map((e) => [e.entity, e.series.ts.length])).toEqual([
      ['2', 2],
      ['1', 2],
    ]);
  });
});
