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

  it("take a concurrent start's 'duplicate column' as done for ADD COLUMN, and nothing else", async () => {
    const { applyStatement } = await import('./migrate.js');
    const failing = (message: string) =>
      ({
        query: async () => {
          throw new Error(message);
        },
      }) as unknown as Parameters<typeof applyStatement>[0];
    const dup = failing('QuestDB query failed: [-100] duplicate column [name=job_id]');
    await expect(applyStatement(dup, 'ALTER TABLE gpu_metrics ADD COLUMN IF NOT EXISTS job_id SYMBOL')).resolves.toBe(
      undefined,
    );
    await expect(applyStatement(dup, 'CREATE TABLE t (a INT)')).rejects.toThrow(/duplicate column/);
    await expect(
      applyStatement(failing('QuestDB query failed: table busy'), 'ALTER TABLE t ADD COLUMN x INT'),
    ).rejects.toThrow(/busy/);
  });
});
