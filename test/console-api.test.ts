/**
 * What the console needs from the server, without a browser: the GPU series route against the real QuestDB (values
 * bucketed as documented, its bounds refused before any read), /v1/whoami, the console's pages and assets (no
 * other origin allowed by their CSP), and the runbooks.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SERIES_POINTS } from '../src/api/routes/gpu-series.js';
import { type TableRow, toTableRow } from '../src/telemetry/writer.js';
import { bootApp, KEYS, uniqueTag } from './helpers.js';
import { walApplied } from './queue-fixtures.js';

const MIN = 60_000;
// A far-off hour of its own: nothing else writes there.
const T0 = Date.UTC(2071, 2, 3, 4, 0, 0);
const cluster = uniqueTag('ca');
const node = `${cluster}-n0`;
const device = `${node}/0`;
let app: FastifyInstance;
let small: FastifyInstance;

beforeAll(async () => {
  [app, small] = await Promise.all([bootApp({ HEALTH_RECORD_EVERY_S: '0' }), bootApp({ API_MAX_READ_VALUES: '500' })]);
  // 10 minutes of 10 s samples: temperature 60 + minute index, one XID in minute 3, a score every 5 minutes.
  const rows = Array.from({ length: 60 }, (_, k) =>
    toTableRow('gpu_metrics', {
      ts: T0 + k * 10_000,
      symbols: { cluster, rack: `${cluster}-r0`, node, gpu: '0', gpu_model: 'H100' },
      values: { gpu_temp_c: 60 + Math.floor(k / 6), ecc_sbe_volatile: k, xid_count: k === 20 ? 1 : 0 },
    }),
  );
  await app.writer.writeDurable('gpu_metrics', rows);
  const score = (ts: number, s: number): TableRow => ({
    ts,
    symbols: { device, cluster, rack: `${cluster}-r0`, model: 'anomaly', model_version: 'v1' },
    doubles: { score: s, threshold: 0.5 },
    longs: { anomalous: s >= 0.5 ? 1 : 0 },
    strings: { top_features: '[]' },
  });
  await app.writer.writeDurable('anomaly_scores', [score(T0 + 30_000, 0.2), score(T0 + 5 * MIN + 30_000, 0.9)]);
  await Promise.all(['gpu_metrics', 'anomaly_scores'].map((t) => walApplied(app.reader, t)));
}, 60_000);

afterAll(async () => {
  await Promise.all([app?.close(), small?.close()]);
});

const iso = (ms: number) => new Date(ms).toISOString();
const series = (a: FastifyInstance, q: Record<string, string>) =>
  a.inject({ method: 'GET', url: `/v1/telemetry/gpu/series?${new URLSearchParams(q)}`, headers: KEYS.reader });

describe('GET /v1/telemetry/gpu/series', () => {
  it('buckets the GPU telemetry (mean, max, XID sum) and puts the scores with their threshold on the grid', async () => {
    const res = await series(app, {
      device,
      from: iso(T0),
      to: iso(T0 + 10 * MIN),
      stepS: '60',
      fields: 'gpu_temp_c,ecc_sbe_volatile,xid_count',
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.stepMs).toBe(60_000);
    expect(body.ts).toEqual(Array.from({ length: 10 }, (_, m) => T0 + m * MIN));
    expect(body.fields.gpu_temp_c).toEqual(Array.from({ length: 10 }, (_, m) => 60 + m));
    expect(body.fields.ecc_sbe_volatile).toEqual(Array.from({ length: 10 }, (_, m) => 6 * m + 5));
    expect(body.fields.xid_count).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    expect(body.anomaly.score).toEqual([0.2, null, null, null, null, 0.9, null, null, null, null]);
    expect(body.anomaly.threshold[5]).toBe(0.5);
    expect(body.fault.probability.every((v: unknown) => v === null)).toBe(true);
  });

  it('chooses the bucket itself, and answers nulls where the GPU sent nothing', async () => {
    const res = await series(app, { device, from: iso(T0 - 10 * MIN), to: iso(T0 + 10 * MIN) });
    const body = res.json();
    expect(body.stepMs).toBe(10_000); // 120 buckets of the finest width
    expect(Object.keys(body.fields)).toContain('power_w');
    expect(body.fields.gpu_temp_c.slice(0, 60).every((v: unknown) => v === null)).toBe(true);
    expect(body.fields.gpu_temp_c[60]).toBe(60);
  });

  it('refuses, naming the problem, what it cannot answer within its bounds', async () => {
    const tooMany = await series(app, { device, from: iso(T0), to: iso(T0 + 2 * 86_400_000), stepS: '10' });
    expect([tooMany.statusCode, tooMany.json().error.message]).toEqual([
      400,
      expect.stringContaining(`more than ${MAX_SERIES_POINTS}`),
    ]);
    const bound = await series(small, { device, from: iso(T0), to: iso(T0 + 10 * MIN) });
    expect(bound.statusCode).toBe(400);
    expect(bound.json().error.details).toMatchObject({ limit: 'API_MAX_READ_VALUES', maxReadValues: 500 });
    const field = await series(app, { device, from: iso(T0), to: iso(T0 + MIN), fields: 'gpu_temp_c,warp_drive' });
    expect([field.statusCode, field.json().error.message]).toEqual([400, expect.stringContaining('warp_drive')]);
    const reversed = await series(app, { device, from: iso(T0), to: iso(T0 - MIN) });
    expect([reversed.statusCode, reversed.json().error.details.field]).toEqual([400, 'to']);
    const bare = await series(app, { device: node, from: iso(T0) });
    expect(bare.statusCode).toBe(400);
    const control = await series(app, { device: 'n\u0001/0', from: iso(T0) });
    expect([control.statusCode, control.json().error.message]).toEqual([400, expect.stringContaining('device')]);
    const anonymous = await app.inject({
      method: 'GET',
      url: `/v1/telemetry/gpu/series?device=${device}&from=${iso(T0)}`,
    });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('GET /v1/whoami', () => {
  it("answers the key's name and role, and 401 without a key", async () => {
    const me = await app.inject({ method: 'GET', url: '/v1/whoami', headers: KEYS.operator });
    expect(me.json()).toEqual({ name: 'operator-2', role: 'operator' });
    expect((await app.inject({ method: 'GET', url: '/v1/whoami' })).statusCode).toBe(401);
  });
});

describe('GET /v1/models for the calibration plot', () => {
  it("gives the fault model's calibration map, null when its version has none", async () => {
    const { models } = (await app.inject({ method: 'GET', url: '/v1/models', headers: KEYS.reader })).json();
    const byName = Object.fromEntries(models.map((m: { name: string }) => [m.name, m]));
    // The committed fault model predates calibration maps: the console says so instead of drawing one.
    expect(byName.fault.calibration).toBeNull();
    expect('calibration' in byName.anomaly).toBe(false);
  });
});

describe('console pages', () => {
  it('serves the page and its bundle at / with a CSP that allows this origin only', async () => {
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.body).toContain('/console/main.js');
    expect(page.body).not.toMatch(/https?:\/\//);
    const js = await app.inject({ method: 'GET', url: '/console/main.js' });
    expect([js.statusCode, js.headers['content-type']]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(js.body).toContain('x-api-key');
    const css = await app.inject({ method: 'GET', url: '/console/main.css' });
    expect(css.body).toContain('.uplot'); // uPlot's stylesheet, bundled from npm
    expect((await app.inject({ method: 'GET', url: '/console/nothing.js' })).statusCode).toBe(404);
  });

  it('serves the runbooks as text and nothing outside their folder', async () => {
    const rb = await app.inject({ method: 'GET', url: '/runbooks/gpu-health.md' });
    expect([rb.statusCode, rb.headers['content-type']]).toEqual([200, 'text/plain; charset=utf-8']);
    expect(rb.body).toContain('## xid');
    expect((await app.inject({ method: 'GET', url: '/runbooks/none.md' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/runbooks/..%2Fpackage.json' })).statusCode).toBe(400);
  });

  it('keeps the pages out of the OpenAPI document and documents the new routes', async () => {
    const paths = (await app.inject({ method: 'GET', url: '/docs/json' })).json().paths;
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(['/v1/telemetry/gpu/series', '/v1/whoami']));
    expect(
      Object.keys(paths).filter((p) => p === '/' || p.startsWith('/console') || p.startsWith('/runbooks')),
    ).toEqual([]);
  });
});
