import { describe, expect, it } from 'vitest';
import { readCsvDataset } from './csv.js';
import { columnsMarkdown, describeColumns } from './describe.js';

describe('describeColumns (danfojs-node)', () => {
  it('counts present and missing cells and gives the range and constancy of every feature column', async () => {
    const ds = await readCsvDataset('unit,ts,a,b,c\n1,1,3,7,\n1,2,,7,\n2,1,-2,7,\n2,2,10,7,NaN\n');
    const cols = await describeColumns(ds);
    expect(cols).toEqual([
      { name: 'a', count: 3, missing: 1, min: -2, max: 10, constant: false },
      { name: 'b', count: 4, missing: 0, min: 7, max: 7, constant: true },
      { name: 'c', count: 0, missing: 4, min: Number.NaN, max: Number.NaN, constant: true },
    ]);
    expect(columnsMarkdown(cols)[2]).toBe('| a | 3 | 1 | -2 | 10 |  |');
  });
});
