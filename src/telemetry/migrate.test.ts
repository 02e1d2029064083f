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

  it('001_telemetry matches the catalogue column for column, with dedup keys', async () => {
    const sql = await readFile(new URL('./migrations/001_telemetry.sql', import.meta.url), 'utf8');
    for (const spec of Object.values(TELEMETRY_TABLES)) {
      const stmt = statementsOf(sql).find((s) => s.includes(`EXISTS ${spec.name} (`));
      expect(stmt, spec.name).toBeDefined();
      const body = stmt!.slice(stmt!.indexOf('(') + 1, stmt!.indexOf(') TIMESTAMP'));
      const cols = body.split(',').map((c) => c.trim().split(/\s+/));
      const expected = [
        ['ts', 'TIMESTAMP'],
        ...spec.symbols.map((s) => [s, 'SYMBOL']),
        ...spec.fields.map((f) => [f.name, f.type === 'long' ? 'LONG' : 'DOUBLE']),
      ];
      expect(cols).toEqual(expected);
      expect(stmt).toContain(`DEDUP UPSERT KEYS(${['ts', ...spec.requiredSymbols].join(', ')})`);
    }
  });
});
