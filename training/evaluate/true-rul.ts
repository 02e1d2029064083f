/**
 * True remaining useful life of test entities that stop before failure (C-MAPSS `RUL_FD00x.txt`: one RUL per test
 * engine, in the order of the test file's units). Each entity's failure is then `last row + RUL steps`, so the ttf
 * metrics (family-metrics.ts) compare the prediction at the last observed row with the true RUL there, the
 * literature's test protocol.
 * File format: one value per line (the k-th value is the k-th entity in first-seen order of the CSV), or two
 * values per line, `entity rul` (whitespace or comma separated, by entity name); blank lines are skipped.
 */
import { readFile } from 'node:fs/promises';
import { AppError } from '../../src/errors.js';

export type TrueRul =
  | { readonly kind: 'ordered'; readonly values: readonly number[] }
  | { readonly kind: 'named'; readonly values: ReadonlyMap<string, number> };

export function parseTrueRul(text: string, source = 'true-RUL file'): TrueRul {
  const ordered: number[] = [];
  const named = new Map<string, number>();
  text.split(/\r?\n/).forEach((line, i) => {
    const cells = line
      .trim()
      .split(/[\s,]+/)
      .filter(Boolean);
    if (cells.length === 0) return;
    if (cells.length > 2) {
      throw new AppError('VALIDATION_FAILED', `${source} line ${i + 1}: ${cells.length} values, expected 1 or 2`);
    }
    const rul = Number(cells[cells.length - 1]);
    if (!Number.isFinite(rul) || rul < 0) {
      throw new AppError('VALIDATION_FAILED', `${source} line ${i + 1}: "${cells.at(-1)}" is not a RUL >= 0`, {
        line: i + 1,
      });
    }
    if (cells.length === 1) ordered.push(rul);
    else if (named.has(cells[0])) {
      throw new AppError('VALIDATION_FAILED', `${source} line ${i + 1}: entity "${cells[0]}" is listed twice`);
    } else named.set(cells[0], rul);
  });
  if (ordered.length > 0 && named.size > 0) {
    throw new AppError('VALIDATION_FAILED', `${source} mixes lines of one value and of two (entity rul)`);
  }
  if (ordered.length + named.size === 0) throw new AppError('VALIDATION_FAILED', `${source} holds no RUL value`);
  return named.size > 0 ? { kind: 'named', values: named } : { kind: 'ordered', values: ordered };
}

export async function loadTrueRul(file: string): Promise<TrueRul> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new AppError('VALIDATION_FAILED', `cannot read the true-RUL file ${file}: ${err.code ?? String(err)}`);
  });
  return parseTrueRul(text, file);
}

/** The true RUL (steps after the last row) of each entity, in the given order; a count or name mismatch is an error. */
export function trueRulOf(entities: readonly string[], rul: TrueRul): number[] {
  if (rul.kind === 'ordered') {
    if (rul.values.length !== entities.length) {
      throw new AppError(
        'VALIDATION_FAILED',
        `the true-RUL file has ${rul.values.length} values but the CSV has ${entities.length} entities (one value per entity, in the CSV's order)`,
        { values: rul.values.length, entities: entities.length },
      );
    }
    return [...rul.values];
  }
  const missing = entities.filter((e) => !rul.values.has(e));
  if (missing.length > 0) {
    throw new AppError(
      'VALIDATION_FAILED',
      `the true-RUL file has no value for ${missing.length} entit${missing.length === 1 ? 'y' : 'ies'}: ${missing.slice(0, 5).join(', ')}`,
      { missing: missing.slice(0, 20) },
    );
  }
  return entities.map((e) => rul.values.get(e) as number);
}
