/**
 * The danfojs-node reader against the hand-written parser it replaces (csv-parse.ts), on real files: the same
 * header, the same text cells and the same line numbers, so every parsed value stays identical.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cmapssCsv, parseCmapss } from '../../datasets/public/cmapss.js';
import { readCsvTable, readCsvTableText } from './csv-frame.js';
import { parseCsv } from './csv-parse.js';

const shared = path.resolve('../shared/datasets');

describe.skipIf(!existsSync(shared))('danfojs-node reader = the old parser on public files', () => {
  it('NAB realTraffic/speed_6005.csv and C-MAPSS FD001 (as the benchmark writes it)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'csv-frame-'));
    const cm = path.join(dir, 'fd001.csv');
    const engines = parseCmapss(readFileSync(path.join(shared, 'cmapss', 'train_FD001.txt'), 'utf8'));
    writeFileSync(cm, cmapssCsv(engines.slice(0, 20)));
    for (const file of [path.join(shared, 'nab', 'realTraffic', 'speed_6005.csv'), cm]) {
      const old = parseCsv(readFileSync(file, 'utf8'));
      const now = await readCsvTable(file);
      expect(now.header).toEqual(old.header);
      expect(now.rows).toEqual(old.rows);
      expect(now.lines).toEqual(old.lines);
      expect(now.rows.length).toBeGreaterThan(2000);
    }
  });
});

describe('danfojs-node reader on awkward text', () => {
  const same = async (text: string) => {
    const old = parseCsv(text);
    const now = await readCsvTableText(text);
    expect({ header: now.header, rows: now.rows, lines: now.lines }).toEqual({ ...old });
  };

  it('quoted fields with delimiters, escaped quotes, newlines, CRLF, blank lines, a BOM, ; and tab', async () => {
    await same('a,b,c\r\n1,"x, ""y""",3\r\n\r\n4,"two\nlines",6\r\n7,8,9\r\n');
    await same('\ufeffa;b\n1;2\n');
    await same('a\tb\n1\t2\n');
  });

  it('names the line of a ragged row, and rejects empty files, repeated and empty header names', async () => {
    await expect(readCsvTableText('a,b\n1,2\n\n3\n')).rejects.toThrow(/CSV line 4 has 1 fields, the header has 2/);
    await expect(readCsvTableText('a,b\n')).rejects.toThrow(/no data rows/);
    await expect(readCsvTableText('  \n')).rejects.toThrow(/empty/);
    await expect(readCsvTableText('a,a\n1,2\n')).rejects.toThrow(/repeats the column "a"/);
    await expect(readCsvTableText('a,,b\n1,2,3\n')).rejects.toThrow(/empty column name/);
  });
});
