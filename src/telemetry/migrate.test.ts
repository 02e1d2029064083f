import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { TELEMETRY_TABLES } from './catalogue.js';
import { migrationFiles, statementsOf } from './migrate.js';

describe('migrations', () => {
  it('are numbered NNN_name.sql and split into statements without comments', async () => {
    const files = await migrationFiles();
    expect(files[0]).toBe('001_telemetry.sql');
    expect(statementsOf('-- a; comment\nCREATE x;\n\nCREATE y; -- tail')).toEqual(['CREATE x', 'CREATE y']);
  });

  it('001_telemetry plus later ADD COLUMNs match the catalogue column for column, with dedup keys', async () => {
    const sqlOf = async (file: string) => readFile(new URL(`./migrations/${file}`, import.meta.url), 'utf8');
    const sql = await sqlOf('001_telemetry.sql');
    // Columns added by later migrations: `ALTER TABLE <table> ADD COLUMN [IF NOT EXISTS] <name> <TYPE>`.
    const added: string[][] = [];
    for (const file of (await migrationFiles()).slice(1)) {
      for (const stmt of statementsOf(await sqlOf(file))) {
        const m = /^ALTER TABLE (\w+) ADD COLUMN (?:IF NOT EXISTS )?(\w+) (\w+)$/i.exec(stmt.replace(/\s+/g, ' '));
        if (m) added.push([m[1], m[2], m[3]]);
      }
    }
    expect(added).toContainEqual(['gpu_metrics', 'job_id', 'SYMBOL']);
    const byName = (a: string[], b: string[]) => a[0].localeCompare(b[0]);
    for (const spec of Object.values(TELEMETRY_TABLES)) {
      const stmt = statementsOf(sql).find((s) => s.includes(`EXISTS ${spec.name} (`));
      expect(stmt, spec.name).toBeDefined();
      const body = stmt!.slice(stmt!.indexOf('(') + 1, stmt!.indexOf(') TIMESTAMP'));
      const cols = [
        ...body.split(',').map((c) => c.trim().split(/\s+/)),
        ...added.filter(([table]) => table === spec.name).map(([, name, type]) => [name, type.toUpperCase()]),
      ];
      const expected = [
        ['ts', 'TIMESTAMP'],
        ...spec.symbols.map((s) => [s, 'SYMBOL']),
        ...spec.fields.map((f) => [f.name, f.type === 'long' ? 'LONG' : 'DOUBLE']),
      ];
      // Added columns land at the end of the table, so compare as sets (no name twice).
      expect(new Set(cols.map((c) => c[0])).size, spec.name).toBe(cols.length);
      expect([...cols].sort(byName), spec.name).toEqual([...expected].sort(byName));
      expect(stmt).toContain(`DEDUP UPSERT KEYS(${['ts', ...spec.requiredSymbols].join(', ')})`);
    }
  });

  it('take a failed ADD COLUMN as done when the column appears (a concurrent start added it), and nothing else', async () => {
    const { applyStatement } = await import('./migrate.js');
    // A reader whose statements fail, and whose `SELECT <column> ... LIMIT 0` succeeds from the n-th try on.
    const reader = (columnFromTry: number) => {
      let tries = 0;
      return {
        query: async (sql: string) => {
          if (sql.startsWith('SELECT') && ++tries >= columnFromTry) return [];
          throw new Error('QuestDB query failed: statement is either no-op, or contains multiple transactions');
        },
      } as unknown as Parameters<typeof applyStatement>[0];
    };
    const add = 'ALTER TABLE gpu_metrics ADD COLUMN IF NOT EXISTS job_id SYMBOL';
    await expect(applyStatement(reader(1), add, 1_000)).resolves.toBe(undefined);
    await expect(applyStatement(reader(3), add, 2_000)).resolves.toBe(undefined); // appears after ~400 ms
    await expect(applyStatement(reader(Number.POSITIVE_INFINITY), add, 300)).rejects.toThrow(/no-op/);
    await expect(applyStatement(reader(1), 'CREATE TABLE t (a INT)', 1_000)).rejects.toThrow(/no-op/);
  });
});
