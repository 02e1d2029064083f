/**
 * The danfojs-node reader on real files, against an independent reading of the same bytes (it replaced a
 * hand-written parser, checked cell for cell against it on these files before that parser was removed): the same
 * header, cells, line numbers and, through datasetFromTable, the same numbers and UTC times.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cmapssCsv, parseCmapss } from '../../datasets/public/cmapss.js';
import { loadCsv } from './csv.js';
import { readCsvTable, readCsvTableText } from './csv-frame.js';

const shared = path.resolve('../shared/datasets');

describe.skipIf(!existsSync(shared))('danfojs-node reader on public files', () => {
  it('NAB realTraffic/speed_6005.csv: every cell, line and zone-less time (as UTC) as in the file', async () => {
    const file = path.join(shared, 'nab', 'realTraffic', 'speed_6005.csv');
    const raw = readFileSync(file, 'utf8').trim().split('\n');
    const table = await readCsvTable(file);
    expect(table.header).toEqual(raw[0].split(','));
    expect(table.rows).toEqual(raw.slice(1).map((l) => l.split(',')));
    expect(table.lines).toEqual(raw.slice(1).map((_, i) => i + 2));
    const ds = await loadCsv(file);
    const s = ds.entities[0].series;
    expect(s.ts[0]).toBe(Date.parse(`${raw[1].split(',')[0].replace(' ', 'T')}Z`));
    expect(Array.from(s.values)).toEqual(raw.slice(1).map((l) => Number(l.split(',')[1])));
  });

  it('C-MAPSS FD001 as the benchmark writes it: every engine, cycle and sensor value', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'csv-frame-'));
    const file = path.join(dir, 'fd001.csv');
    const engines = parseCmapss(readFileSync(path.join(shared, 'cmapss', 'train_FD001.txt'), 'utf8')).slice(0, 20);
    writeFileSync(file, cmapssCsv(engines));
    const table = await readCsvTable(file);
    // The CSV writes -0 as "0" (String(-0)); compare numbers, not signs of zero.
    const plain = (v: number) => (v === 0 ? 0 : v);
    expect(table.rows.map((r) => r.map(Number))).toEqual(engines.flatMap((e) => e.rows.map((r) => r.map(plain))));
    const ds = await loadCsv(file, { runToFailure: true });
    expect(ds.entities.map((e) => e.entity)).toEqual(engines.map((e) => String(e.unit)));
    const e0 = ds.entities[0];
    expect(Array.from(e0.series.values.subarray(0, ds.features.length))).toEqual(
      ds.features.map((f) => engines[0].rows[0][table.header.indexOf(f)]),
    );
  });
});

describe('danfojs-node reader on awkward text', () => {
  it('quoted fields with delimiters, escaped quotes, newlines, CRLF and blank lines', async () => {
    const t = await readCsvTableText('a,b,c\r\n1,"x, ""y""",3\r\n\r\n4,"two\nlines",6\r\n7,8,9\r\n');
    expect(t.rows).toEqual([
      ['1', 'x, "y"', '3'],
      ['4', 'two\nlines', '6'],
      ['7', '8', '9'],
    ]);
    expect(t.lines).toEqual([2, 4, 6]);
  });

  it('names the line of a ragged row, and rejects empty files, repeated and empty header names', async () => {
    await expect(readCsvTableText('a,b\n1,2\n\n3\n')).rejects.toThrow(/CSV line 4 has 1 fields, the header has 2/);
    await expect(readCsvTableText('a,b\n')).rejects.toThrow(/no data rows/);
    await expect(readCsvTableText('  \n')).rejects.toThrow(/empty/);
    await expect(readCsvTableText('a,a\n1,2\n')).rejects.toThrow(/repeats the column "a"/);
    await expect(readCsvTableText('a,,b\n1,2,3\n')).rejects.toThrow(/empty column name/);
  });
});
