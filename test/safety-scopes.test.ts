/**
 * Opt-outs and maintenance windows through the API, on the real app and QuestDB: operators set and remove them
 * (audited), readers list them, and the forecast's safety state carries exactly the ones in force at its time:
 * a window that has ended no longer applies, with nobody removing it.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootApp, KEYS, uniqueTag, waitFor } from './helpers.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await bootApp();
});
afterAll(async () => {
  await app?.close();
});

const list = async (path: string) =>
  (await app.inject({ method: 'GET', url: path, headers: KEYS.reader })).json().entries as Array<{ id: string }>;

/** An operator's maintenance window for rack `rack` over [start, end) (epoch ms). */
const postWindow = (rack: string, start: number, end: number) =>
  app.inject({
    method: 'POST',
    url: '/v1/safety/maintenance-windows',
    headers: KEYS.operator,
    payload: {
      scope: { kind: 'rack', id: rack },
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
    },
  });

describe('opt-outs and maintenance windows', () => {
  it('are set by operators, listed, honoured while in force, and gone once removed or over', async () => {
    const node = uniqueTag('son');
    const now = Date.now();
    const denied = await app.inject({
      method: 'POST',
      url: '/v1/safety/opt-outs',
      headers: KEYS.reader,
      payload: { scope: { kind: 'node', id: node } },
    });
    expect(denied.statusCode).toBe(403);
    const opt = await app.inject({
      method: 'POST',
      url: '/v1/safety/opt-outs',
      headers: KEYS.operator,
      payload: { scope: { kind: 'node', id: node }, note: 'firmware burn-in' },
    });
    expect(opt.statusCode, opt.body).toBe(201);
    const window = await postWindow(`${node}-rack`, now, now + 3_600_000);
    expect(window.statusCode, window.body).toBe(201);
    const bad = await postWindow('r', now, now);
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'VALIDATION_FAILED']);
    // A window already over would never be in force, listed or removable (the fuzzer's 201 then 404): refused.
    const past = await postWindow('r', now - 7_200_000, now - 3_600_000);
    expect([past.statusCode, past.json().error.details?.field]).toEqual([400, 'end']);
    expect(past.json().error.message).toMatch(/already past/);
    // A time QuestDB cannot hold (or a typo of a year) is named, not stored (the fuzzer found one that was).
    const far = await app.inject({
      method: 'POST',
      url: '/v1/safety/opt-outs',
      headers: KEYS.operator,
      payload: { scope: { kind: 'node', id: node }, until: '2150-01-01T00:00:00Z' },
    });
    expect([far.statusCode, far.json().error.details?.field]).toEqual([400, 'until']);

    await waitFor(
      () => list('/v1/safety/opt-outs'),
      (e) => e.some((x) => x.id === opt.json().id),
    );
    const during = await app.safety.state(true, now + 60_000);
    expect(during.optOut).toContainEqual({ kind: 'node', id: node });
    expect(during.maintenanceWindows).toContainEqual({
      scope: { kind: 'rack', id: `${node}-rack` },
      start: now,
      end: now + 3_600_000,
    });
    // The window ends by itself.
    const after = await app.safety.state(true, now + 3_600_001);
    expect(after.maintenanceWindows.filter((w) => w.scope.id === `${node}-rack`)).toEqual([]);

    const removed = await app.inject({
      method: 'DELETE',
      url: `/v1/safety/opt-outs/${opt.json().id}`,
      headers: KEYS.operator,
    });
    expect(removed.statusCode).toBe(200);
    await waitFor(
      () => list('/v1/safety/opt-outs'),
      (e) => !e.some((x) => x.id === opt.json().id),
    );
    const again = await app.inject({
      method: 'DELETE',
      url: `/v1/safety/opt-outs/${opt.json().id}`,
      headers: KEYS.operator,
    });
    expect(again.statusCode).toBe(404);
  });
});
