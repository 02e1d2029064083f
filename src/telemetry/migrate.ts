/**
 * Versioned, idempotent schema migrations: every `migrations/NNN_name.sql` in order. Each statement is itself
 * idempotent (`CREATE TABLE IF NOT EXISTS`, `ADD COLUMN IF NOT EXISTS`), so concurrent starts of several processes
 * are safe; applied files are recorded in `schema_migrations` and skipped next time.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TelemetryReader } from './reader.js';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Split a migration file into statements: drop `--` comments, split on `;`. */
export function statementsOf(sql: string): string[] {
  return sql
    .split('\n')
    .map((line) => line.replace(/--.*$/, ''))
    .join('\n')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}

export async function migrationFiles(): Promise<string[]> {
  return (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f)).sort();
}

const ADD_COLUMN = /^ALTER\s+TABLE\s+(\w+)\s+ADD\s+COLUMN\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)/i;

/**
 * Run one statement. `ADD COLUMN IF NOT EXISTS` is not atomic on a WAL table (the ALTER applies asynchronously), so
 * when processes start together the loser's ALTER fails ("duplicate column", or "no-op" while the winner's ALTER is
 * being applied). The statement asked for the column to exist: it succeeded if the column appears within `waitMs`.
 */
export async function applyStatement(reader: TelemetryReader, stmt: string, waitMs = 10_000): Promise<void> {
  try {
    await reader.query(stmt);
  } catch (err) {
    const m = ADD_COLUMN.exec(stmt);
    if (!m || !(await columnAppears(reader, m[1], m[2], waitMs))) throw err;
  }
}

async function columnAppears(reader: TelemetryReader, table: string, column: string, waitMs: number) {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      // Identifiers from our own migration files, never from users.
      await reader.query(`SELECT ${column} FROM ${table} LIMIT 0`);
      return true;
    } catch {
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Apply pending migrations; returns the names applied now. */
export async function migrate(reader: TelemetryReader): Promise<string[]> {
  await reader.query(
    'CREATE TABLE IF NOT EXISTS schema_migrations (ts TIMESTAMP, name SYMBOL) TIMESTAMP(ts) PARTITION BY YEAR WAL DEDUP UPSERT KEYS(ts, name)',
  );
  const done = new Set((await reader.query<{ name: string }>('SELECT name FROM schema_migrations')).map((r) => r.name));
  const applied: string[] = [];
  for (const file of await migrationFiles()) {
    if (done.has(file)) continue;
    const sql = await readFile(path.join(MIGRATIONS_DIR, file), 'utf8');
    for (const stmt of statementsOf(sql)) await applyStatement(reader, stmt);
    // Fixed timestamp per file: a concurrent second start upserts the same row instead of adding one.
    await reader.query('INSERT INTO schema_migrations (ts, name) VALUES (0, $1)', [file]);
    applied.push(file);
  }
  return applied;
}
