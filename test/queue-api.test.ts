/**
 * The queue's API on the real app, Redis and QuestDB: listing and filtering recommendations, approve/reject with
 * roles, the audit at /v1/actions, POST /v1/retrain, and the admin-only queue dashboard.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueWorkers } from '../src/queue/workers.js';
import { bootApp, KEYS, uniqueTag, waitFor } from './helpers.js';
import { fakeAction, silentLog } from './queue-fixtures.js';

let app: FastifyInstance;
let workers: QueueWorkers;

beforeAll(async () => {
  app = await bootApp({ QUEUE_PREFIX: uniqueTag('fsapi') });
  workers = new QueueWorkers({ config: app.config, queues: app.queues, writer: app.writer, log: silentLog });
});
afterAll(async () => {
  await workers.close();
  await app.queues.obliterate();
  await app.close();
});

describe('recommendations API', () => {
  it('lists with filters, approves (operator only), rejects, and shows the audit', async () => {
    const node = uniqueTag('apin');
    const auto = fakeAction({
      severity: 'warning',
      target: { kind: 'node', id: node, cluster: 'cq', rack: 'r', node },
    });
    const gated = fakeAction({ type: 'reset_gpu', severity: 'critical', requiresApproval: true });
    const closed = fakeAction({ severity: 'critical', requiresApproval: true });
    await app.remediation.submit({ actions: [auto, gated, closed] });

    const byStatus = await app.inject({
      method: 'GET',
      url: '/v1/recommendations?status=proposed&severity=critical',
      headers: KEYS.reader,
    });
    expect(byStatus.statusCode).toBe(200);
    expect(
      byStatus
        .json()
        .recommendations.map((r: { id: string }) => r.id)
        .sort(),
    ).toEqual([gated.id, closed.id].sort());
    const byTarget = await app.inject({
      method: 'GET',
      url: `/v1/recommendations?target=${node}`,
      headers: KEYS.reader,
    });
    expect(byTarget.json().recommendations).toHaveLength(1);
    expect(byTarget.json().recommendations[0]).toMatchObject({
      occurrence: 1,
      id: auto.id,
      type: 'drain_node',
      evidence: { kind: 'xid' },
    });
    const byType = await app.inject({ method: 'GET', url: '/v1/recommendations?type=reset_gpu', headers: KEYS.reader });
    expect(byType.json().recommendations.map((r: { id: string }) => r.id)).toEqual([gated.id]);
    const bad = await app.inject({ method: 'GET', url: '/v1/recommendations?status=done', headers: KEYS.reader });
    expect(bad.statusCode).toBe(400);

    const asReader = await app.inject({
      method: 'POST',
      url: `/v1/recommendations/${gated.id}/approve`,
      headers: KEYS.reader,
    });
    expect(asReader.statusCode).toBe(403);
    const approved = await app.inject({
      method: 'POST',
      url: `/v1/recommendations/${gated.id}/approve`,
      headers: KEYS.operator,
    });
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'queued', approvedBy: 'operator-2' });
    const twice = await app.inject({
      method: 'POST',
      url: `/v1/recommendations/${gated.id}/approve`,
      headers: KEYS.operator,
    });
    expect(twice.statusCode).toBe(409);
    const rejected = await app.inject({
      method: 'POST',
      url: `/v1/recommendations/${closed.id}/reject`,
      headers: KEYS.operator,
      payload: { note: 'node is in a planned window' },
    });
    expect(rejected.json()).toMatchObject({
      status: 'rejected',
      rejectedBy: 'operator-2',
      note: 'node is in a planned window',
    });
    const missing = await app.inject({
      method: 'POST',
      url: '/v1/recommendations/act_nope/approve',
      headers: KEYS.operator,
    });
    expect(missing.statusCode).toBe(404);

    for (const id of [auto.id, gated.id]) {
      await waitFor(
        () => app.remediation.store.require(id),
        (r) => r.status === 'executed',
      );
    }
    const audit = await waitFor(
      async () =>
        (await app.inject({ method: 'GET', url: `/v1/actions?actionId=${gated.id}`, headers: KEYS.reader })).json(),
      // The attempt's row is written as started before the executor runs, then replaced by its outcome.
      (b) => b.actions?.length === 1 && b.actions[0].result !== 'started',
    );
    expect(audit.actions[0]).toMatchObject({
      actionId: gated.id,
      type: 'reset_gpu',
      result: 'dry-run',
      executor: 'dry-run',
      approvedBy: 'operator-2',
      dryRun: true,
      attempt: 1,
    });
    expect(audit.actions[0].detail).toMatch(/^would reset_gpu/);
  });
});

describe('circuit breaker API', () => {
  it('shows the breaker and lets an admin reset it', async () => {
    await app.safety.trip(Date.now());
    const tripped = await app.inject({ method: 'GET', url: '/v1/safety/circuit-breaker', headers: KEYS.reader });
    expect(tripped.json()).toMatchObject({ tripped: true });
    const asOperator = await app.inject({
      method: 'POST',
      url: '/v1/safety/circuit-breaker/reset',
      headers: KEYS.operator,
    });
    expect(asOperator.statusCode).toBe(403);
    const reset = await app.inject({ method: 'POST', url: '/v1/safety/circuit-breaker/reset', headers: KEYS.admin });
    expect(reset.json().tripped).toBe(false);
    expect(Date.parse(reset.json().resetAt)).toBeGreaterThan(Date.now() - 60_000);
    expect((await app.safety.state(true)).circuitBreakerTripped).toBe(false);
  });
});

describe('retrain API', () => {
  it('queues one retrain per model while one is pending (admin only)', async () => {
    const model = uniqueTag('anomaly');
    const asOperator = await app.inject({
      method: 'POST',
      url: '/v1/retrain',
      headers: KEYS.operator,
      payload: { model },
    });
    expect(asOperator.statusCode).toBe(403);
    const first = await app.inject({ method: 'POST', url: '/v1/retrain', headers: KEYS.admin, payload: { model } });
    const second = await app.inject({ method: 'POST', url: '/v1/retrain', headers: KEYS.admin, payload: { model } });
    expect(first.statusCode).toBe(202);
    expect(second.json().jobId).toBe(first.json().jobId);
    expect(await app.queues.retrain.count()).toBe(1);
    const status = await app.inject({ method: 'GET', url: `/v1/retrain/${first.json().jobId}`, headers: KEYS.reader });
    expect(status.json()).toMatchObject({ model, state: 'waiting' });
    const backwards = await app.inject({
      method: 'POST',
      url: '/v1/retrain',
      headers: KEYS.admin,
      payload: { model, from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' },
    });
    expect(backwards.statusCode).toBe(400);
  });
});

describe('queue dashboard', () => {
  it('is served at /admin/queues to admins only', async () => {
    expect((await app.inject({ method: 'GET', url: '/admin/queues' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/admin/queues', headers: KEYS.operator })).statusCode).toBe(403);
    const page = await app.inject({ method: 'GET', url: '/admin/queues', headers: KEYS.admin });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/html/);
    const api = await app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: KEYS.admin });
    expect(api.statusCode).toBe(200);
    expect(
      api
        .json()
        .queues.map((q: { name: string }) => q.name)
        .sort(),
    ).toEqual(['forecast', 'rebalancing', 'remediation', 'retrain']);
    expect(
      (await app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: KEYS.reader })).statusCode,
    ).toBe(403);
  });

  it('exports queue depths on /metrics', async () => {
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toMatch(/fleetsense_queue_jobs\{queue="retrain",state="waiting"\} \d+/);
  });
});
