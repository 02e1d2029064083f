/**
 * NASA C-MAPSS turbofan files (`train_FD00x.txt`, `test_FD00x.txt`): whitespace-separated, no header, one row per
 * engine cycle: unit, cycle, 3 operating settings, 21 sensors. Read into rows, written back as a CSV with a header
 * (`unit,cycle,setting_1..3,s_1..s_21`) that `npm run train -- --source csv:<file> --run-to-failure` reads.
 */
import { AppError } from '../../src/errors.js';

export const CMAPSS_COLUMNS: readonly string[] = [
  'unit',
  'cycle',
  'setting_1',
  'setting_2',
  'setting_3',
  ...Array.from({ length: 21 }, (_, i) => `s_${i + 1}`),
];

export interface CmapssEngine {
  readonly unit: number;
  /** Rows of CMAPSS_COLUMNS values, in cycle order. */
  readonly rows: readonly (readonly number[])[];
}

export function parseCmapss(text: string, source = 'C-MAPSS'): CmapssEngine[] {
  const byUnit = new Map<number, number[][]>();
  text.split('\n').forEach((line, i) => {
    const cells = line.trim().split(/\s+/).filter(Boolean);
    if (cells.length === 0) return;
    if (cells.length !== CMAPSS_COLUMNS.length) {
      throw new AppError(
        'VALIDATION_FAILED',
        `${source} line ${i + 1}: ${cells.length} values, expected ${CMAPSS_COLUMNS.length}`,
        { line: i + 1 },
      );
    }
    const row = cells.map(Number);
    if (row.some((v) => !Number.isFinite(v))) {
      throw new AppError('VALIDATION_FAILED', `${source} line ${i + 1}: not all numbers`, { line: i + 1 });
    }
    const rows = byUnit.get(row[0]) ?? [];
    rows.push(row);
    byUnit.set(row[0], rows);
  });
  return [...byUnit].map(([unit, rows]) => ({ unit, rows: rows.sort((a, b) => a[1] - b[1]) }));
}

/** CSV text of the engines, each cut after `keepCycles(unit)` rows when given (a test engine's last cycle). */
export function cmapssCsv(engines: readonly CmapssEngine[], keepCycles?: (unit: number) => number): string {
  const lines = [CMAPSS_COLUMNS.join(',')];
  for (const e of engines) {
    const n = keepCycles ? Math.min(keepCycles(e.unit), e.rows.length) : e.rows.length;
    for (let i = 0; i < n; i++) lines.push(e.rows[i].join(','));
  }
  return `${lines.join('\n')}\n`;
}
