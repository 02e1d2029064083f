import { describe, expect, it } from 'vitest';
import { readCsvDataset } from './csv.js';
import { fitTrainScaler, splitDataset } from './split.js';

const rows = (n: number, entity = '') =>
  Array.from({ length: n }, (_, i) => `${entity ? `${entity},` : ''}${i + 1},${i}`).join('\n');

describe('splitDataset', () => {
  it('cuts each entity 70/15/15 in time order', async () => {
    const ds = await readCsvDataset(`step,x\n${rows(100)}`);
    const s = splitDataset(ds);
    const ts = (p: typeof s.train) => Array.from(p[0].series.ts);
    expect(ts(s.train)).toHaveLength(70);
    expect(ts(s.validation)).toHaveLength(15);
    expect(ts(s.test)).toHaveLength(15);
    expect(Math.max(...ts(s.train))).toBeLessThan(Math.min(...ts(s.validation)));
    expect(Math.max(...ts(s.validation))).toBeLessThan(Math.min(...ts(s.test)));
  });

  it('leaves a gap of gapRows rows between parts', async () => {
    const ds = await readCsvDataset(`step,x\n${rows(100)}`);
    const s = splitDataset(ds, { gapRows: 5 });
    expect(s.train[0].series.ts.length + s.validation[0].series.ts.length + s.test[0].series.ts.length).toBe(90);
    expect(s.validation[0].series.ts[0] - s.train[0].series.ts.at(-1)!).toBe(6000);
    expect(s.test[0].series.ts[0] - s.validation[0].series.ts.at(-1)!).toBe(6000);
  });

  it('assigns whole entities in time order for run-to-failure data', async () => {
    const csv = `unit,step,x\n${[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((u) => rows(5, String(u))).join('\n')}`;
    const s = splitDataset(await readCsvDataset(csv, { runToFailure: true }), {
      by: 'entity',
      train: 0.6,
      validation: 0.2,
      test: 0.2,
    });
    expect(s.train.map((e) => e.entity)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(s.validation.map((e) => e.entity)).toEqual(['7', '8']);
    expect(s.test.map((e) => e.entity)).toEqual(['9', '10']);
    expect(Array.from(s.test[0].ttf!)).toEqual([4, 3, 2, 1, 0]);
  });

  it('fits the scaler on the training part only', async () => {
    const ds = await readCsvDataset(`step,x\n${rows(100)}`);
    const s = splitDataset(ds);
    const scaler = fitTrainScaler(s.train);
    expect(scaler.mean[0]).toBeCloseTo(34.5, 10); // mean of 0..69, not of 0..99
  });
});
