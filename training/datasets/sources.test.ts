import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTrainingData } from './sources.js';

const dir = mkdtempSync(path.join(tmpdir(), 'sources-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Engines of `lives` cycles each: a falling sensor and a noise column. */
function runToFailureCsv(lives: readonly number[]): string {
  const file = path.join(dir, `rtf-${lives.join('-')}.csv`);
  const lines = ['unit,cycle,s1,s2'];
  lives.forEach((life, u) => {
    for (let c = 1; c <= life; c++) lines.push(`${u + 1},${c},${100 - c * 0.5 + u},${(c * 7919) % 13}`);
  });
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('CSV training data', () => {
  it('pads a run-to-failure entity shorter than the window with its first row, and says so', async () => {
    const warnings: string[] = [];
    const data = await loadTrainingData(
      {
        kind: 'csv',
        path: runToFailureCsv([12, 4, 9]),
        options: { entityColumn: 'unit', timeColumn: 'cycle', runToFailure: true, minRows: 6 },
      },
      { fields: [], log: { warn: (_o, m) => warnings.push(m) } },
    );
    const byName = new Map(data.entities.map((e) => [e.entity, e]));
    expect(data.entities.map((e) => e.series.ts.length)).toEqual([12, 6, 9]);
    const short = byName.get('2');
    // Two copies of cycle 1 in front; time to failure counts on over them, and the last row is the failure.
    expect(Array.from(short?.ttf ?? [])).toEqual([5, 4, 3, 2, 1, 0]);
    const s1 = short?.series.features.indexOf('s1') ?? -1;
    const width = short?.series.features.length ?? 0;
    const column = Array.from({ length: 6 }, (_, i) => short?.series.values[i * width + s1]);
    expect(column).toEqual([100.5, 100.5, 100.5, 100, 99.5, 99]);
    expect(Array.from(short?.series.ts ?? []).every((t, i, ts) => i === 0 || t > ts[i - 1])).toBe(true);
    expect(Array.from(byName.get('1')?.ttf ?? [])).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(warnings).toContain('1 entities shorter than the 6-row window padded with their first row: 2');
  });

  it('still refuses a time-split entity shorter than the window, naming it', async () => {
    const file = runToFailureCsv([12, 4]);
    await expect(
      loadTrainingData(
        { kind: 'csv', path: file, options: { entityColumn: 'unit', timeColumn: 'cycle', minRows: 6 } },
        { fields: [] },
      ),
    ).rejects.toThrow(/entity "2" has 4 rows, fewer than the window length 6/);
  });
});
