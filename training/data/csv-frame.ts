/**
 * CSV files read into danfojs-node frames (the product's DataFrame library, DESIGN.md: dataset preparation and
 * reports, never hot loops or serving). danfojs-node parses with every cell kept as text (`dynamicTyping: false`):
 * the numbers, times and labels are read by training/data (time-column.ts, csv.ts), so a value means the same
 * whatever danfo would have guessed. Records are taken without a header row so that a row of the wrong width is an
 * error naming its line (silently padding it would shift values into the wrong columns).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AppError } from '../../src/errors.js';

export interface CsvTable {
  readonly header: readonly string[];
  /** Data rows (header excluded), each exactly `header.length` fields. */
  readonly rows: readonly (readonly string[])[];
  /** 1-based line number in the file of each data row (for error messages). */
  readonly lines: readonly number[];
  /** The file's text (its sha256 names the data a model was trained on). */
  readonly text: string;
}

type Danfo = typeof import('danfojs-node');
let danfo: Promise<Danfo> | undefined;
/** danfojs-node loads TensorFlow.js and mathjs (~2 s): only commands that read a CSV pay for it. */
export function loadDanfo(): Promise<Danfo> {
  danfo ??= import('danfojs-node');
  return danfo;
}

/** ',' unless the header line has none and has ';' or tabs instead (spreadsheet exports in some locales). */
export function sniffDelimiter(text: string): string {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const end = body.search(/\r?\n/);
  const header = end < 0 ? body : body.slice(0, end);
  if (header.includes(',')) return ',';
  if (header.includes(';')) return ';';
  return header.includes('\t') ? '\t' : ',';
}

const blank = (r: readonly string[]) => r.length === 1 && r[0].trim() === '';

/** Read a CSV file through danfojs-node into a header and text rows, validated. */
export async function readCsvTable(file: string, opts: { delimiter?: string } = {}): Promise<CsvTable> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new AppError('VALIDATION_FAILED', `cannot read CSV ${file}: ${err.code ?? String(err)}`, { path: file });
  });
  if (text.trim() === '') throw new AppError('VALIDATION_FAILED', `CSV ${file} is empty`);
  const dfd = await loadDanfo();
  let records: string[][];
  try {
    // Papa Parse's options (danfojs-node passes them through; its types lack @types/papaparse).
    const parse = {
      header: false,
      dynamicTyping: false,
      skipEmptyLines: false,
      delimiter: opts.delimiter ?? sniffDelimiter(text),
    };
    const frame = await dfd.readCSV(file, parse as Parameters<Danfo['readCSV']>[1]);
    records = frame.values as string[][];
  } catch (err) {
    throw new AppError('VALIDATION_FAILED', `CSV ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return tableOf(records, text);
}

/** CSV text that is not on disk (tests, uploads): written to a private temporary file and read as a file. */
export async function readCsvTableText(text: string, opts: { delimiter?: string } = {}): Promise<CsvTable> {
  const dir = await mkdtemp(path.join(tmpdir(), 'fleetsense-csv-'));
  try {
    const file = path.join(dir, 'inline.csv');
    await writeFile(file, text);
    return await readCsvTable(file, opts);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function tableOf(records: readonly string[][], text: string): CsvTable {
  // Line of each record: one per record, plus the line breaks inside its quoted fields.
  const recLines: number[] = [];
  let line = 1;
  for (const r of records) {
    recLines.push(line);
    line += 1 + r.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0);
  }
  const first = records.findIndex((r) => !blank(r));
  if (first < 0) throw new AppError('VALIDATION_FAILED', 'CSV is empty: no header and no rows');
  const header = records[first].map((h) => h.trim());
  const seen = new Set<string>();
  for (const h of header) {
    if (h === '') throw new AppError('VALIDATION_FAILED', 'CSV header has an empty column name', { header });
    if (seen.has(h)) throw new AppError('VALIDATION_FAILED', `CSV header repeats the column "${h}"`, { header });
    seen.add(h);
  }
  const rows: string[][] = [];
  const lines: number[] = [];
  for (let i = first + 1; i < records.length; i++) {
    const fields = records[i];
    if (blank(fields) && header.length > 1) continue;
    if (fields.length !== header.length) {
      const at = recLines[i];
      throw new AppError(
        'VALIDATION_FAILED',
        `CSV line ${at} has ${fields.length} fields, the header has ${header.length}`,
        { line: at, fields: fields.length, expected: header.length },
      );
    }
    rows.push(fields);
    lines.push(recLines[i]);
  }
  if (rows.length === 0)
    throw new AppError('VALIDATION_FAILED', `CSV has a header (${header.join(', ')}) but no data rows`);
  return { header, rows, lines, text };
}
