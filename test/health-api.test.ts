/**
 * The GPU health API against the real QuestDB and Redis: one cluster of its own with a GPU in each state (a silent
 * one included), seeded as telemetry, scores, predictions and recommendations; every state and reason checked.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GPU_METRICS, type TelemetryRow } from '../src/telemetry/catalogue.js';
import { type TableRow, toTableRow } from '../src/telemetry/writer.js';
import { bootApp, KEYS, uniqueTag, waitFor } from './helpers.js';
import { fakeAction, walApplied } from './queue-fixtures.js';

const MIN = 60_000;
let app: FastifyInstance;
const cluster = uniqueTag('hc');
const rack = `${cluster}-r0`;
const n = (i: number) => `${cluster}-n${i}`;
const AT = Date.now();

// device → the state the seeded evidence must give it
const EXPECTED: Record<string, string> = {
  [`${n(0)}/0`]: 'healthy',
  [`${n(0)}/1`]: 'degraded',
  [`${n(0)}/2`]: 'at_risk',
  [`${n(0)}/3`]: 'failing',
  [`${n(1)}/0`]: 'unknown',
  [`${n(2)}/0`]: 'drained',
};

function sample(device: string, ts: number, values: Record<string, number> = {}): TelemetryRow {
  const [node, gpu] = device.split('/');
  return {
    ts,
    symbols: { cluster, rack, node, gpu, gpu_model: 'H100' },
    values: {
      gpu_temp_c: 60,
      ecc_sbe_volatile: 0,
      ecc_dbe_volatile: 0,
      remapped_rows_pending: 0,
      xid_count: 0,
      ...values,
    },
  };
}
const score = (device: string, multiple: number): TableRow => ({
  ts: AT - 2 * MIN,
  symbols: { device, cluster, rack, model: 'anomaly', model_version: 'v1' },
  doubles: { score: multiple * 0.5, threshold: 0.5 },
  longs: { anomalous: multiple >= 1 ? 1 : 0 },
  strings: { top_features: JSON.stringify([{ name: 'gpu_temp_c', contribution: 0.8 }]) },
});
const prediction = (device: string, probability: number, ttfMs: number): TableRow => ({
  ts: AT - 2 * MIN,
  symbols: { device, cluster, rack, model: 'fault', model_version: 'v1' },
  doubles: { probability, threshold: 0.7, ttf_ms: ttfMs },
  longs: { horizon_ms: 30 * MIN },
});

beforeAll(async () => {
  app = await bootApp({ HEALTH_RECORD_EVERY_S: '0' });
  const rows: TelemetryRow[] = [];
  for (const device of Object.keys(EXPECTED)) {
    const silent = EXPECTED[device] === 'unknown';
    for (let k = 0; k < 6; k++) rows.push(sample(device, (silent ? AT - 20 * MIN : AT) - (k + 1) * 10_000));
  }
  // The failing GPU: an XID 79 (fell off the bus) and uncorrected ECC errors in its newest sample.
  rows.push(sample(`${n(0)}/3`, AT - 5_000, { xid_count: 1, xid_last: 79, ecc_dbe_volatile: 2 }));
  await app.writer.writeDurable(
    'gpu_metrics',
    rows.map((r) => toTableRow('gpu_metrics', r)),
  );
  await app.writer.writeDurable('anomaly_scores', [
    score(`${n(0)}/0`, 0.4),
    score(`${n(0)}/1`, 1.6),
    score(`${n(0)}/2`, 0.6),
  ]);
  await app.writer.writeDurable('fault_predictions', [
    prediction(`${n(0)}/0`, 0.05, 600 * MIN),
    prediction(`${n(0)}/2`, 0.8, 60 * MIN),
  ]);
  const store = app.remediation.store;
  const target = { kind: 'node' as const, id: n(2), cluster, rack, node: n(2) };
  const drain = fakeAction({ target, evidence: { kind: 'xid', key: 'xid:79', devices: [`${n(2)}/0`] } });
  await store.create(drain, 'test');
  await store.transition(drain.id, ['proposed'], 'executed', 'test');
  const cap = fakeAction({
    type: 'power_cap_gpu',
    severity: 'info',
    target: { kind: 'gpu', id: `${n(0)}/1`, cluster, rack, node: n(0) },
    evidence: { kind: 'anomaly', key: 'anomaly:temp', devices: [`${n(0)}/1`] },
  });
  await store.create(cap, 'test');
  await Promise.all(['gpu_metrics', 'anomaly_scores', 'fault_predictions'].map((t) => walApplied(app.reader, t)));
}, 60_000);

afterAll(async () => {
  await app?.close();
});

const get = (url: string) => app.inject({ method: 'GET', url, headers: KEYS.reader });
type Gpu = { device: string; state: string; reasons: { kind: string; state: string; runbook: string; at: string }[] };

describe('GET /v1/health/gpus', () => {
  it('gives every GPU of the cluster its state, a silent one unknown and a drained node drained', async () => {
    const res = await waitFor(
      () => get(`/v1/health/gpus?cluster=${cluster}`),
      (r) => r.statusCode === 200 && r.json().gpus.length === 6,
    );
    const gpus: Gpu[] = res.json().gpus;
    expect(Object.fromEntries(gpus.map((g) => [g.device, g.state]))).toEqual(EXPECTED);
    expect(res.json().counts).toEqual({ healthy: 1, degraded: 1, at_risk: 1, failing: 1, drained: 1, unknown: 1 });
  });

  it('says why, with evidence, time and runbook for each reason', async () => {
    const gpus: Gpu[] = (await get(`/v1/health/gpus?cluster=${cluster}`)).json().gpus;
    const by = Object.fromEntries(gpus.map((g) => [g.device, g]));
    expect(by[`${n(0)}/0`].reasons).toEqual([]);
    expect(by[`${n(0)}/1`].reasons.map((r) => r.kind)).toEqual(['anomaly']);
    expect(by[`${n(0)}/2`].reasons[0]).toMatchObject({ kind: 'fault_prediction', state: 'at_risk' });
    expect(by[`${n(0)}/3`].reasons.map((r) => [r.kind, r.state]).sort()).toEqual([
      ['ecc', 'failing'],
      ['xid', 'failing'],
    ]);
    expect(by[`${n(1)}/0`].reasons[0]).toMatchObject({ kind: 'no_data', state: 'unknown' });
    expect(by[`${n(2)}/0`].reasons[0]).toMatchObject({ kind: 'drain', runbook: 'docs/runbooks/drain_node.md' });
    const xid = by[`${n(0)}/3`].reasons.find((r) => r.kind === 'xid');
    expect(xid).toMatchObject({ at: new Date(AT - 5_000).toISOString(), runbook: 'docs/runbooks/gpu-health.md#xid' });
  });

  it('filters by state and node; lists the evidence found fine on request', async () => {
    const failing: Gpu[] = (await get(`/v1/health/gpus?cluster=${cluster}&state=failing`)).json().gpus;
    expect(failing.map((g) => g.device)).toEqual([`${n(0)}/3`]);
    const node0: Gpu[] = (await get(`/v1/health/gpus?cluster=${cluster}&node=${n(0)}&reasons=all`)).json().gpus;
    expect(node0).toHaveLength(4);
    const healthy = node0.find((g) => g.device === `${n(0)}/0`);
    expect(healthy?.reasons.map((r) => [r.kind, r.state]).sort()).toEqual([
      ['anomaly', 'healthy'],
      ['ecc', 'healthy'],
      ['fault_prediction', 'healthy'],
    ]);
  });

  it('needs a key; refuses an unknown state', async () => {
    expect((await app.inject({ method: 'GET', url: '/v1/health/gpus' })).statusCode).toBe(401);
    expect((await get('/v1/health/gpus?state=sick')).statusCode).toBe(400);
  });
});

describe('GET /v1/health/gpus/:device', () => {
  it('answers one GPU by its URL-encoded id or as /node/gpu, with the open recommendation about it', async () => {
    const encoded = await get(`/v1/health/gpus/${encodeURIComponent(`${n(0)}/1`)}`);
    expect(encoded.statusCode).toBe(200);
    const g: Gpu = encoded.json();
    expect(g.state).toBe('degraded');
    expect(g.reasons.find((r) => r.kind === 'recommendation')).toMatchObject({
      state: 'healthy',
      runbook: 'docs/runbooks/power_cap_gpu.md',
    });
    expect((await get(`/v1/health/gpus/${n(0)}/1`)).json()).toEqual(g);
  });
  it("links each recommendation to its type's runbook", async () => {
    const res = await get(`/v1/recommendations?target=${n(0)}/1`);
    expect(res.json().recommendations.map((r: { runbook: string }) => r.runbook)).toEqual([
      'docs/runbooks/power_cap_gpu.md',
    ]);
  });
  it('is 404 UNKNOWN_DEVICE for a GPU that never reported', async () => {
    const res = await get(`/v1/health/gpus/${n(9)}%2F0`);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('UNKNOWN_DEVICE');
  });
});

describe('fleet health score', () => {
  const expected = (1 + 0.75 + 0.5) / 6;

  it('scores the cluster by state weights, in the API and on /metrics', async () => {
    const res = await get(`/v1/health/fleet?at=${new Date(AT).toISOString()}`);
    const c = res.json().clusters.find((x: { cluster: string }) => x.cluster === cluster);
    expect(c.gpus).toBe(6);
    expect(c.score).toBeCloseTo(expected, 6);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^fleetsense_fleet_health_score [\d.]+$/m);
    expect(metrics).toContain('fleetsense_dependency_up{dependency="questdb"} 1');
    expect(metrics).toContain('fleetsense_dependency_up{dependency="redis"} 1');
    expect(metrics).toContain('fleetsense_circuit_breaker_tripped 0');
  });

  it('records the score to QuestDB and returns its history for a period', async () => {
    const before = await app.fleetHealth.record(AT - 30 * MIN); // before the seeded samples: nothing of the cluster
    // Recording slots are floored to the minute: this one falls in [AT, AT + 1 min), after every seeded sample.
    const now = await app.fleetHealth.record(AT + MIN - 1);
    expect(before.score.clusters.find((c) => c.cluster === cluster)).toBeUndefined();
    await walApplied(app.reader, 'fleet_health');
    const from = new Date(AT - 60 * MIN).toISOString();
    const to = new Date(AT + 2 * MIN).toISOString();
    const res = await get(`/v1/health/fleet/history?cluster=${cluster}&from=${from}&to=${to}`);
    expect(res.statusCode).toBe(200);
    const points = res.json().points;
    expect(points).toHaveLength(1);
    expect(points[0]).toMatchObject({
      at: new Date(now.at).toISOString(),
      gpus: 6,
      states: { drained: 1, unknown: 1 },
    });
    expect(points[0].score).toBeCloseTo(expected, 6);
    const fleet = await get(`/v1/health/fleet/history?from=${from}&to=${to}`);
    // Other processes on the shared QuestDB may record fleet-wide slots of their own in the same period.
    expect(fleet.json().points.map((p: { at: string }) => p.at)).toEqual(
      expect.arrayContaining([before.at, now.at].map((t) => new Date(t).toISOString())),
    );
  });
});

it('GPU_METRICS carries the fields the health queries read', () => {
  const names = GPU_METRICS.fields.map((f) => f.name);
  for (const f of ['ecc_sbe_volatile', 'ecc_dbe_volatile', 'remapped_rows_pending', 'xid_count', 'xid_last'])
    expect(names).toContain(f);
});
