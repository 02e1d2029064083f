/**
 * A small RFC-4180 CSV parser: quoted fields (with "" escapes and embedded delimiters or newlines), LF or CRLF
 * line ends, a header row. Rows of the wrong width are an error naming the row, because silently padding them
 * would shift values into the wrong columns.
 */
import { AppError } from '../../src/errors.js';

export interface ParsedCsv {
  readonly header: readonly string[];
  /** Data rows (header excluded), each exactly `header.length` fields. */
  readonly rows: readonly (readonly string[])[];
  /** 1-based line number in the file of each data row (for error messages). */
  readonly lines: readonly number[];
}

/** Split text into records of raw fields; blank lines are skipped. */
function records(text: string, delimiter: string): { fields: string[]; line: number }[] {
  const out: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let sawAny = false;
  const end = () => {
    fields.push(field);
    if (sawAny || fields.length > 1 || field !== '') out.push({ fields, line: recordLine });
    fields = [];
    field = '';
    sawAny = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field === '') {
      quoted = true;
      sawAny = true;
    } else if (ch === delimiter) {
      fields.push(field);
      field = '';
      sawAny = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      end();
      line++;
      recordLine = line;
    } else field += ch;
  }
  if (quoted)
    throw new AppError('VALIDATION_FAILED', `CSV has an unterminated quoted field starting on line ${recordLine}`);
  end();
  return out;
}

/** ',' unless the header line has none and has ';' or tabs instead (spreadsheet exports in some locales). */
function sniffDelimiter(text: string): string {
  const end = text.search(/\r?\n/);
  const header = end < 0 ? text : text.slice(0, end);
  if (header.includes(',')) return ',';
  if (header.includes(';')) return ';';
  return header.includes('\t') ? '\t' : ',';
}

export function parseCsv(text: string, opts: { delimiter?: string } = {}): ParsedCsv {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // BOM from spreadsheet exports
  const delimiter = opts.delimiter ?? sniffDelimiter(body);
  const recs = records(body, delimiter);
  if (recs.length === 0) throw new AppError('VALIDATION_FAILED', 'CSV is empty: no header and no rows');
  const header = recs[0].fields.map((h) => h.trim());
  if (recs.length === 1)
    throw new AppError('VALIDATION_FAILED', `CSV has a header (${header.join(', ')}) but no data rows`);
  const seen = new Set<string>();
  for (const h of header) {
    if (h === '') throw new AppError('VALIDATION_FAILED', 'CSV header has an empty column name', { header });
    if (seen.has(h)) throw new AppError('VALIDATION_FAILED', `CSV header repeats the column "${h}"`, { header });
    seen.add(h);
  }
  const rows: string[][] = [];
  const lines: number[] = [];
  for (let r = 1; r < recs.length; r++) {
    const { fields, line } = recs[r];
    if (fields.length !== header.length) {
      throw new AppError(
        'VALIDATION_FAILED',
        `CSV line ${line} has ${fields.length} fields, the header has ${header.length}`,
        { line, fields: fields.length, expected: header.length },
      );
    }
    rows.push(fields);
    lines.push(line);
  }
  return { header, rows, lines };
}
