/**
 * Telemetry ingest against the real QuestDB: rows come back exactly, invalid batches store nothing, replays do not
 * duplicate, limits answer 413, auth answers 401/403.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GPU_METRICS } from '../src/telemetry/catalogue.js';
import { bootApp, KEYS, uniqueTag, waitFor } from './helpers.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await bootApp({ API_BODY_LIMIT_BYTES: String(8 * 1024 * 1024) });
});
afterAll(async () => {
  await app.close();
});

/** A full gpu_metrics row with every field set to a distinct value derived from i; every third row has no job_id. */
function gpuRow(node: string, i: number, base: number) {
  const row: Record<string, unknown> = {
    ts: new Date(base + i * 10_000).toISOString(),
    cluster: 'itest',
    rack: 'r0',
    node,
    gpu: String(i % 8),
    gpu_model: 'H100',
  };
  if (i % 3 !== 0) row.job_id = `job-${node}-${i % 2}`;
  GPU_METRICS.fields.forEach((f, k) => {
    row[f.name] = f.type === 'long' ? i * 100 + k : Math.round((i + k / 10 + 0.25) * 1000) / 1000;
  });
  return row;
}

const countRows = (node: string) =>
  app.reader
    .query<{ n: string }>('SELECT count() n FROM gpu_metrics WHERE node = $1', [node])
    .then((r) => Number(r[0].n));

describe('POST /v1/telemetry/gpu', () => {
  it('stores every field of every row exactly, with or without job_id', async () => {
    const node = uniqueTag('n');
    const base = Date.UTC(2026, 0, 5, 10);
    const rows = Array.from({ length: 40 }, (_, i) => gpuRow(node, i, base));
    const res = await app.inject({
      method: 'POST',
      url: '/v1/telemetry/gpu',
      headers: KEYS.operator,
      payload: { rows },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ table: 'gpu_metrics', stored: 40 });

    await waitFor(
      () => countRows(node),
      (n) => n === 40,
    );
    const back = await app.reader.query<Record<string, unknown>>(
      'SELECT * FROM gpu_metrics WHERE node = $1 ORDER BY ts',
      [node],
    );
    back.forEach((got, i) => {
      const sent = rows[i];
      expect(got.ts).toBe(Date.parse(sent.ts as string));
      // Optional symbols left out (job_id of an idle GPU) come back as null.
      for (const s of GPU_METRICS.symbols) expect(got[s] ?? undefined, s).toBe(sent[s]);
      for (const f of GPU_METRICS.fields) expect(Number(got[f.name]), f.name).toBe(sent[f.name]);
    });
  });

  it('rejects a batch with bad rows whole, naming row, field and reason, and stores nothing', async () => {
    const node = uniqueTag('n');
    const base = Date.UTC(2026, 0, 5, 11);
    const rows: Record<string, unknown>[] = Array.from({ length: 5 }, (_, i) => gpuRow(node, i, base));
    rows[1] = { ...rows[1], gpu_temp_c: 'hot' };
    rows[2] = { ...rows[2], ts: 'yesterday' };
    rows[3] = { ...rows[3], not_a_field: 1 };
    rows[4] = { ...rows[4], ecc_dbe_volatile: 1.5 };
    const res = await app.inject({
      method: 'POST',
      url: '/v1/telemetry/gpu',
      headers: KEYS.operator,
      payload: { rows },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe('INVALID_ROWS');
    expect(body.error.details.stored).toBe(0);
    expect(body.error.details.errors).toEqual([
      { row: 1, field: 'gpu_temp_c', reason: 'must be a number, got "hot"' },
      { row: 2, field: 'ts', reason: expect.stringContaining('ISO-8601') },
      { row: 3, field: 'not_a_field', reason: 'unknown field for gpu_metrics' },
      { row: 4, field: 'ecc_dbe_volatile', reason: 'must be an integer, got 1.5' },
    ]);
    // A valid marker batch for the same node, written after: once it is visible, the bad batch would be too.
    const marker = await app.inject({
      method: 'POST',
      url: '/v1/telemetry/gpu',
      headers: KEYS.operator,
      payload: { rows: [gpuRow(node, 99, base)] },
    });
    expect(marker.statusCode).toBe(200);
    await waitFor(
      () => countRows(node),
      (n) => n >= 1,
    );
    expect(await countRows(node)).toBe(1);
  });

  it('does not duplicate rows when a batch is replayed', async () => {
    const node = uniqueTag('n');
    const rows = Array.from({ length: 16 }, (_, i) => gpuRow(node, i, Date.UTC(2026, 0, 5, 12)));
    for (let k = 0; k < 3; k++) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/telemetry/gpu',
        headers: KEYS.operator,
        payload: { rows },
      });
      expect(res.statusCode).toBe(200);
    }
    // Wait until all three writes are applied (a fourth marker row proves the WAL caught up), then count.
    const marker = gpuRow(node, 500, Date.UTC(2026, 0, 5, 12));
    await app.inject({ method: 'POST', url: '/v1/telemetry/gpu', headers: KEYS.operator, payload: { rows: [marker] } });
    await waitFor(
      () => countRows(node),
      (n) => n >= 17,
    );
    expect(await countRows(node)).toBe(17);
  });

  it('accepts a batch of 10,000 rows', async () => {
    const node = uniqueTag('n');
    const rows = Array.from({ length: 10_000 }, (_, i) => gpuRow(node, i, Date.UTC(2026, 0, 6)));
    const res = await app.inject({
      method: 'POST',
      url: '/v1/telemetry/gpu',
      headers: KEYS.operator,
      payload: { rows },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().stored).toBe(10_000);
    await waitFor(
      () => countRows(node),
      (n) => n === 10_000,
    );
  });

  it('answers 413 for a body over the limit, 400 for an empty batch', async () => {
    const big = { rows: [{ ts: 0, pad: 'x'.repeat(9 * 1024 * 1024) }] };
    const res = await app.inject({ method: 'POST', url: '/v1/telemetry/gpu', headers: KEYS.operator, payload: big });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    const empty = await app.inject({
      method: 'POST',
      url: '/v1/telemetry/gpu',
      headers: KEYS.operator,
      payload: { rows: [] },
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.code).toBe('EMPTY_BATCH');
  });

  it('needs a key with the operator role', async () => {
    const payload = { rows: [gpuRow('nobody', 0, Date.UTC(2026, 0, 7))] };
    const none = await app.inject({ method: 'POST', url: '/v1/telemetry/gpu', payload });
    expect(none.statusCode).toBe(401);
    const wrong = await app.inject({
      method: 'POST',
      url: '/v1/telemetry/gpu',
      headers: { 'x-api-key': 'nope' },
      payload,
    });
    expect(wrong.statusCode).toBe(401);
    const reader = await app.inject({ method: 'POST', url: '/v1/telemetry/gpu', headers: KEYS.reader, payload });
    expect(reader.statusCode).toBe(403);
    expect(reader.json().error.code).toBe('FORBIDDEN');
  });
});

describe('facility and job ingest', () => {
  it('stores facility and job rows', async () => {
    const rack = uniqueTag('rack');
    const ts = Date.UTC(2026, 0, 8);
    const fac = await app.inject({
      method: 'POST',
      url: '/v1/telemetry/facility',
      headers: KEYS.operator,
      payload: {
        rows: [{ ts, site: 's1', room: 'a', rack, sensor: 'inlet-1', inlet_temp_c: 24.5, rack_power_kw: 31.2 }],
      },
    });
    expect(fac.statusCode, fac.body).toBe(200);
    const job = uniqueTag('job');
    const jobs = await app.inject({
      method: 'POST',
      url: '/v1/telemetry/jobs',
      headers: KEYS.operator,
      payload: { rows: [{ ts, job_id: job, workload: 'llm-train', gpu_model: 'H100', n_gpus: 8, throughput: 1234.5 }] },
    });
    expect(jobs.statusCode, jobs.body).toBe(200);
    const f = await waitFor(
      () =>
        app.reader.query<{ inlet_temp_c: number }>('SELECT inlet_temp_c FROM facility_metrics WHERE rack = $1', [rack]),
      (r) => r.length === 1,
    );
    expect(f[0].inlet_temp_c).toBe(24.5);
    const j = await waitFor(
      () =>
        app.reader.query<{ n_gpus: string; throughput: number }>(
          'SELECT n_gpus, throughput FROM job_metrics WHERE job_id = $1',
          [job],
        ),
      (r) => r.length === 1,
    );
    expect(Number(j[0].n_gpus)).toBe(8);
    expect(j[0].throughput).toBe(1234.5);
  });
});

describe('health', () => {
  it('reports each dependency', async () => {
    expect((await app.inject('/healthz')).json().status).toBe('ok');
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks.questdb.status).toBe('up');
    expect(ready.json().checks.redis.status).toBe('up');
  });
});
