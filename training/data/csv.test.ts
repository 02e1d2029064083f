import { describe, expect, it } from 'vitest';
import { appErrorOfAsync } from '../../test/app-error.js';
import { readCsvDataset } from './csv.js';
import { readCsvTableText } from './csv-frame.js';

describe('readCsvTableText (danfojs-node)', () => {
  it('reads quoted fields with delimiters, escaped quotes, newlines and CRLF', async () => {
    const csv = 'a,b,c\r\n1,"x, y",3\r\n4,"say ""hi""","multi\nline"\r\n';
    const p = await readCsvTableText(csv);
    expect(p.header).toEqual(['a', 'b', 'c']);
    expect(p.rows).toEqual([
      ['1', 'x, y', '3'],
      ['4', 'say "hi"', 'multi\nline'],
    ]);
    expect(p.lines).toEqual([2, 3]);
  });

  it('detects semicolon and tab delimiters from the header, and skips a BOM', async () => {
    expect((await readCsvTableText('\ufeffa;b\n1;2\n')).rows).toEqual([['1', '2']]);
    expect((await readCsvTableText('a\tb\n1\t2\n')).header).toEqual(['a', 'b']);
    expect((await readCsvTableText('a;b,c\n1;2,3\n')).header).toEqual(['a;b', 'c']);
  });

  it('rejects ragged rows naming the line', async () => {
    const e = await appErrorOfAsync(() => readCsvTableText('a,b\n1,2\n3\n'));
    expect(e.code).toBe('VALIDATION_FAILED');
    expect(e.message).toContain('line 3 has 1 fields, the header has 2');
  });

  it('rejects an empty file and a header without rows', async () => {
    expect((await appErrorOfAsync(() => readCsvTableText(''))).message).toMatch(/empty/);
    expect((await appErrorOfAsync(() => readCsvTableText('a,b\n'))).message).toMatch(/no data rows/);
  });
});

describe('readCsvDataset', () => {
  it('detects an ISO time column, groups entities and sorts rows by time', async () => {
    const csv = [
      'timestamp,device,temp,power',
      '2024-01-01T00:00:20Z,g1,3,30',
      '2024-01-01T00:00:00Z,g1,1,10',
      '2024-01-01T00:00:10Z,g1,2,20',
      '2024-01-01T00:00:00Z,g2,5,50',
      '2024-01-01T00:00:10Z,g2,6,60',
    ].join('\n');
    const ds = await readCsvDataset(csv);
    expect(ds.timeColumn).toBe('timestamp');
    expect(ds.timeKind).toBe('iso');
    expect(ds.entityColumn).toBe('device');
    expect(ds.features).toEqual(['temp', 'power']);
    expect(ds.samplePeriodMs).toBe(10_000);
    expect(ds.entities.map((e) => e.entity)).toEqual(['g1', 'g2']);
    const g1 = ds.entities[0].series;
    expect(Array.from(g1.ts)).toEqual([0, 10_000, 20_000].map((d) => Date.parse('2024-01-01T00:00:00Z') + d));
    expect(Array.from(g1.values)).toEqual([1, 10, 2, 20, 3, 30]);
    expect(ds.source.rows).toBe(5);
    expect(ds.source.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('tells epoch seconds, epoch milliseconds and steps apart', async () => {
    expect((await readCsvDataset('ts,x\n1700000000,1\n1700000060,2')).timeKind).toBe('epoch_s');
    const ms = await readCsvDataset('ts,x\n1700000000000,1\n1700000000500,2');
    expect(ms.timeKind).toBe('epoch_ms');
    expect(ms.samplePeriodMs).toBe(500);
    expect((await readCsvDataset('machine,epoch,x\nm,1700000000,1\nm,1700000060,2')).timeColumn).toBe('epoch');
    expect((await readCsvDataset('id,x,Event Time (UTC)\n1,1,2024-01-01T00:00:00Z')).timeColumn).toBe(
      'Event Time (UTC)',
    );
    const step = await readCsvDataset('cycle,x\n1,1\n2,2\n3,4', { stepMs: 10_000 });
    expect(step.timeKind).toBe('step');
    expect(Array.from(step.entities[0].series.ts)).toEqual([10_000, 20_000, 30_000]);
  });

  it('reads labels and run-to-failure targets', async () => {
    const csv = 'unit,cycle,s1,label\n1,1,0.1,0\n1,2,0.2,0\n1,3,0.3,1\n2,1,0.5,0\n2,2,0.4,1\n';
    const ds = await readCsvDataset(csv, { runToFailure: true });
    expect(ds.entityColumn).toBe('unit');
    expect(ds.features).toEqual(['s1']);
    expect(Array.from(ds.entities[0].labels!)).toEqual([0, 0, 1]);
    const floats = await readCsvDataset('ts,x,label\n1,1,0.0\n2,2,1.0\n3,3,true\n4,4,\n');
    expect(Array.from(floats.entities[0].labels!)).toEqual([0, 1, 1, 0]);
    expect(Array.from(ds.entities[0].ttf!)).toEqual([2, 1, 0]);
    expect(Array.from(ds.entities[1].ttf!)).toEqual([1, 0]);
    expect(ds.entities[0].failureTs).toBe(3000);
  });

  it('joins node and gpu into the device id and leaves text columns out of the default features', async () => {
    const csv = 'ts,cluster,node,gpu,gpu_model,temp\n1,c0,n1,0,H100,40\n1,c0,n1,1,H100,41\n2,c0,n1,0,,42\n';
    const ds = await readCsvDataset(csv);
    expect(ds.entityColumn).toBe('node,gpu');
    expect(ds.entities.map((e) => e.entity)).toEqual(['n1/0', 'n1/1']);
    expect(ds.textColumns).toEqual(['cluster', 'gpu_model']);
    expect(ds.features).toEqual(['temp']);
    expect((await readCsvDataset(csv, { entityColumn: 'cluster,node' })).entities.map((e) => e.entity)).toEqual([
      'c0/n1',
    ]);
  });

  it('keeps missing cells as NaN for cleaning', async () => {
    const ds = await readCsvDataset('ts,x,y\n1,1,\n2,NaN,2\n3,3,3');
    expect(Number.isNaN(ds.entities[0].series.values[1])).toBe(true);
    expect(Number.isNaN(ds.entities[0].series.values[2])).toBe(true);
  });

  it('names a missing column and lists those present', async () => {
    const e = await appErrorOfAsync(() => readCsvDataset('ts,a,b\n1,2,3', { features: ['a', 'c'] }));
    expect(e.code).toBe('VALIDATION_FAILED');
    expect(e.message).toBe('feature column "c" not found; columns present: ts, a, b');
  });

  it('names the line, column and value of a non-numeric cell', async () => {
    const e = await appErrorOfAsync(() => readCsvDataset('ts,a,b\n1,2,3\n2,oops,4'));
    expect(e.message).toBe('line 3: column "a" has "oops", not a number');
    expect(e.details).toEqual({ line: 3, column: 'a', value: 'oops' });
  });

  it('compares rows with the window length', async () => {
    const e = await appErrorOfAsync(() => readCsvDataset('ts,a\n1,2\n2,3', { minRows: 10 }));
    expect(e.message).toBe('CSV has 2 rows, fewer than the window length 10');
  });

  it('says when no time column can be found, and rejects bad labels', async () => {
    expect((await appErrorOfAsync(() => readCsvDataset('a,b\n1,2'))).message).toMatch(
      /no time column found.*columns present: a, b/,
    );
    expect((await appErrorOfAsync(() => readCsvDataset('ts,a,label\n1,2,yes'))).message).toBe(
      'line 2: label column "label" has "yes", not 0 or 1',
    );
    expect((await appErrorOfAsync(() => readCsvDataset('  \n'))).message).toMatch(/empty/);
  });
});
