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

/**
 * Run one statement. `ADD COLUMN IF NOT EXISTS` is not atomic on a WAL table (the ALTER applies asynchronously), so
 * two processes starting together can both pass the check; the loser's "duplicate column" means the column is there,
 * which is what the statement asks for.
 */
export async function applyStatement(reader: TelemetryReader, stmt: string): Promise<void> {
  try {
    await reader.query(stmt);
  } catch (err) {
    if (/\bADD\s+COLUMN\b/i.test(stmt) && err instanceof Error && /duplicate column/i.test(err.message)) return;
    throw err;
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
