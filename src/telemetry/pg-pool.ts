/**
 * A pg Pool against QuestDB's PG wire endpoint. Timestamps (OID 1114, sent without a zone) are UTC in QuestDB, so
 * they are parsed to epoch milliseconds here instead of `Date` in the machine's local zone.
 */
import pg from 'pg';
import type { Config } from '../config.js';

const TIMESTAMP_OID = 1114;
const TIMESTAMPTZ_OID = 1184;

const parseUtcMs = (s: string): number => Date.parse(s.includes('T') ? `${s}Z` : `${s.replace(' ', 'T')}Z`);

/**
 * `onIdleError` hears errors of idle pooled connections (QuestDB restarted or went away). Without a listener, pg
 * emits them as an unhandled 'error' event and the whole process dies; with one, the broken connection is dropped
 * and the next query opens a new one (or fails with STORAGE_UNAVAILABLE while QuestDB is down).
 */
export function createPgPool(cfg: Config['questdb'], max = 4, onIdleError: (err: Error) => void = () => {}): pg.Pool {
  const pool = new pg.Pool({
    host: cfg.pgHost,
    port: cfg.pgPort,
    user: cfg.pgUser,
    password: cfg.pgPassword,
    database: cfg.pgDatabase,
    max,
    connectionTimeoutMillis: cfg.timeoutMs,
    query_timeout: cfg.timeoutMs,
    idleTimeoutMillis: 30_000,
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === TIMESTAMP_OID || oid === TIMESTAMPTZ_OID
          ? parseUtcMs
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  pool.on('error', onIdleError);
  return pool;
}

/** `values` appended to a query's `params`, and their placeholders for an `IN (...)` list (`$3, $4, $5`). */
export function bindAll(params: unknown[], values: readonly unknown[]): string {
  return values.map((v) => `$${params.push(v)}`).join(', ');
}

/** QuestDB binds timestamps best as ISO-8601 UTC strings. */
export const isoUtc = (ms: number): string => new Date(ms).toISOString();
