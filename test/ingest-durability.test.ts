/**
 * An acknowledgement means stored. Concurrent clients, poisoned batches, a stalled and a killed QuestDB: every batch
 * answered 2xx must be in QuestDB afterwards, and the process must keep serving through a QuestDB restart.
 *
 * The first test uses the shared QuestDB (its own cluster tag); the others run a private QuestDB (own ports and data
 * directory, test/private-questdb.ts) that they stall with SIGSTOP and kill with SIGKILL.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.js';
import type { AppError } from '../src/errors.js';
import { TelemetryReader } from '../src/telemetry/reader.js';
import { type TableRow, TelemetryWriter } from '../src/telemetry/writer.js';
import { KEYS, testConfig, uniqueTag, waitFor } from './helpers.js';
import { PrivateQuestDb } from './private-questdb.js';

const BASE_TS = Date.UTC(2026, 10, 1);

/** `n` gpu_metrics rows of one batch: node = batch name, gpu = row index, so the batch's rows are countable. */
function batchRows(cluster: string, node: string, n: number): TableRow[] {
  return Array.from({ length: n }, (_, i) => ({
    ts: BASE_TS + i * 10_000,
    symbols: { cluster, node, gpu: String(i) },
    doubles: { gpu_temp_c: 40 + (i % 30) },
  }));
}

async function storedPerNode(reader: TelemetryReader, cluster: string): Promise<Map<string, number>> {
  const rows = await reader.query<{ node: string; n: number }>(
    // Bounded to this file's rows' days: the shared table holds years of other tests' partitions.
    "SELECT node, count() n FROM gpu_metrics WHERE cluster = $1 AND ts >= $2 AND ts < dateadd('d', 30, $2) GROUP BY node",
    [cluster, new Date(BASE_TS).toISOString()],
  );
  return new Map(rows.map((r) => [r.node, Number(r.n)]));
}

const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

describe('the writer acknowledges only what QuestDB stored', () => {
  let writer: TelemetryWriter;
  let reader: TelemetryReader;
  const cfg = testConfig().questdb;
  beforeAll(async () => {
    writer = await TelemetryWriter.connect(cfg);
    reader = TelemetryReader.connect(cfg);
  });
  afterAll(async () => {
    await writer.close();
    await reader.close();
  });

  it("fails only the poisoned caller's batch, never another's, and stores every acknowledged row", async () => {
    const cluster = uniqueTag('dur');
    const acked = new Map<string, number>();
    const refused: string[] = [];
    const poisonCodes: string[] = [];
    const client = async (c: number) => {
      for (let b = 0; b < 8; b++) {
        const node = `good-${c}-${b}`;
        try {
          await writer.writeDurable('gpu_metrics', batchRows(cluster, node, 2_000));
          acked.set(node, 2_000);
        } catch {
          refused.push(node);
        }
      }
    };
    // A timestamp QuestDB refuses (before 1970), sent past validation straight to the writer, between good batches.
    const poisoner = async () => {
      for (let b = 0; b < 20; b++) {
        const row = { ts: Date.UTC(1900, 0, 1), symbols: { cluster, node: `poison-${b}`, gpu: '0' } };
        await writer.writeDurable('gpu_metrics', [row]).then(
          () => poisonCodes.push('stored'),
          (err: AppError) => poisonCodes.push(err.code),
        );
        await new Promise((r) => setImmediate(r));
      }
    };
    await Promise.all([client(0), client(1), client(2), client(3), poisoner()]);

    expect(refused).toEqual([]);
    expect(poisonCodes).toEqual(Array(20).fill('STORAGE_REJECTED'));
    const stored = await waitFor(
      () => storedPerNode(reader, cluster),
      (m) => total(m) >= 64_000,
      { timeoutMs: 30_000 },
    );
    expect(Object.fromEntries(stored)).toEqual(Object.fromEntries(acked));
  });

  it('rejects a flush() when its rows were not stored', async () => {
    const cluster = uniqueTag('dur');
    await writer.writeRows('gpu_metrics', [{ ts: Date.UTC(1900, 0, 1), symbols: { cluster, node: 'n', gpu: '0' } }]);
    await expect(writer.flush()).rejects.toMatchObject({ code: 'STORAGE_REJECTED' });
    await writer.writeRows('gpu_metrics', batchRows(cluster, 'after', 3));
    await expect(writer.flush()).resolves.toBeUndefined();
  });
});

describe('ingest through a QuestDB stall and a QuestDB restart', () => {
  const qdb = new PrivateQuestDb({ http: 19_000, pg: 18_812, health: 19_003, ilpTcp: 19_009 });
  let app: FastifyInstance;
  let reader: TelemetryReader;
  const cluster = uniqueTag('stall');
  let applied = 0;
  /** Every batch a client sent, with what the API answered. */
  const outcomes = new Map<string, number>();

  const post = async (node: string, rows = 500) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/telemetry/gpu',
      headers: KEYS.operator,
      payload: {
        rows: Array.from({ length: rows }, (_, i) => ({
          ts: BASE_TS + i * 10_000,
          cluster,
          node,
          gpu: String(i),
          gpu_temp_c: 50,
        })),
      },
    });
    outcomes.set(node, res.statusCode);
    return res;
  };

  beforeAll(async () => {
    await qdb.start();
    app = await buildApp({
      config: testConfig({ ...qdb.env, QUESTDB_TIMEOUT_MS: '3000', API_RATE_LIMIT_PER_MINUTE: '100000' }),
      logger: false,
    });
    // A state-changing admin route (as promote or a breaker reset are) that counts how often it was applied.
    app.post('/v1/test/change', { config: { role: 'admin' } }, async () => ({ applied: ++applied }));
    await app.ready();
    reader = TelemetryReader.connect(testConfig(qdb.env).questdb);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await reader?.close();
    await qdb.stop();
  });

  it('loses no acknowledged batch when QuestDB stalls under 4 clients', async () => {
    let stop = false;
    const client = async (c: number) => {
      for (let b = 0; !stop; b++) await post(`s${c}-${b}`);
    };
    const clients = [0, 1, 2, 3].map(client);
    await waitFor(
      async () => outcomes.size,
      (n) => n >= 8,
    );
    qdb.stall();
    await new Promise((r) => setTimeout(r, 12_000)); // past timeout + retries: requests in flight must give up
    qdb.resume();
    await waitFor(
      async () => [...outcomes.values()].filter((s) => s === 200).length,
      (n) => n >= 16,
      { timeoutMs: 30_000 },
    );
    stop = true;
    await Promise.all(clients);

    const acked = [...outcomes].filter(([, s]) => s === 200).map(([n]) => n);
    const refused = [...outcomes].filter(([, s]) => s !== 200);
    expect(refused.length).toBeGreaterThan(0); // the stall was felt
    expect(new Set(refused.map(([, s]) => s))).toEqual(new Set([503]));
    const stored = await waitFor(
      () => storedPerNode(reader, cluster),
      (m) => acked.every((n) => m.get(n) === 500),
      { timeoutMs: 30_000 },
    );
    const lost = acked.filter((n) => stored.get(n) !== 500);
    const storedButRefused = refused.filter(([n]) => stored.has(n)).length;
    console.info(
      `stall: ${acked.length} batches acknowledged, ${lost.length} lost; ${refused.length} refused (503), ` +
        `${storedButRefused} of them stored anyway (committed after the timeout; a retry is deduplicated)`,
    );
    expect(lost).toEqual([]);
  });

  it('stays up through kill -9 of QuestDB: 503 while it is down, serving again when it is back', async () => {
    // Idle pooled connections die with QuestDB: without an error listener that alone crashes the process.
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    expect((await post('before-kill')).statusCode).toBe(200);
    await qdb.kill();

    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks.questdb.status).toBe('down');
    const down = await post('while-down', 10);
    expect(down.statusCode).toBe(503);
    expect(down.json().error.code).toBe('STORAGE_UNAVAILABLE');
    // A state change that cannot be put on record is refused, and not applied.
    const change = await app.inject({ method: 'POST', url: '/v1/test/change', headers: KEYS.admin });
    expect([change.statusCode, change.json().error?.code, applied]).toEqual([503, 'STORAGE_UNAVAILABLE', 0]);

    await qdb.start();
    await waitFor(
      async () => (await app.inject({ method: 'GET', url: '/readyz' })).statusCode,
      (s) => s === 200,
      { timeoutMs: 30_000 },
    );
    const after = await waitFor(
      async () => (await post('after-restart')).statusCode,
      (s) => s === 200,
      { timeoutMs: 30_000 },
    );
    expect(after).toBe(200);
    const changed = await app.inject({ method: 'POST', url: '/v1/test/change', headers: KEYS.admin });
    expect([changed.statusCode, applied]).toEqual([200, 1]);
    const acked = [...outcomes].filter(([, s]) => s === 200).map(([n]) => n);
    const stored = await waitFor(
      () => storedPerNode(reader, cluster),
      (m) => acked.every((n) => (m.get(n) ?? 0) >= 10),
      { timeoutMs: 30_000 },
    );
    expect(acked.filter((n) => !stored.has(n))).toEqual([]);
  });
});
