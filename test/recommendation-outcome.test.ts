/**
 * Outcomes of recommendations and hardware evidence become ground truth, on the real app, Redis and QuestDB: a
 * confirmed outcome is a fault label linked to its recommendation, a false alarm is kept on the recommendation and
 * writes no label, both are in `recommendation_outcomes`; a GPU sample with XID 48 becomes a label, source `xid`.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootApp, KEYS, uniqueTag, waitFor } from './helpers.js';
import { fakeAction, walApplied } from './queue-fixtures.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await bootApp({ QUEUE_PREFIX: uniqueTag('fsout') });
});
afterAll(async () => {
  await app.queues.obliterate();
  await app.close();
});

const labelsOf = async (device: string) => {
  const res = await app.inject({
    method: 'GET',
    url: `/v1/labels?device=${encodeURIComponent(device)}`,
    headers: KEYS.reader,
  });
  return res.json().labels as Record<string, unknown>[];
};
const outcome = (id: string, body: Record<string, unknown>, headers: Record<string, string> = KEYS.operator) =>
  app.inject({ method: 'POST', url: `/v1/recommendations/${id}/outcome`, headers, payload: body });
const recordedOutcomes = (id: string) =>
  app.reader.query<{ outcome: string; actor: string; label_device: string | null }>(
    'SELECT outcome, actor, label_device FROM recommendation_outcomes WHERE id = $1 ORDER BY ts',
    [id],
  );

describe('POST /v1/recommendations/:id/outcome', () => {
  it('confirmed becomes a label linked to the recommendation; false_alarm is kept without one', async () => {
    const node = uniqueTag('outn');
    const other = uniqueTag('outn');
    const real = fakeAction({
      requiresApproval: true,
      target: { kind: 'node', id: node, cluster: 'co', rack: 'co-r0', node },
    });
    const wrong = fakeAction({
      requiresApproval: true,
      target: { kind: 'node', id: other, cluster: 'co', rack: 'co-r0', node: other },
    });
    await app.remediation.submit({ actions: [real, wrong] });

    expect((await outcome(real.id, { outcome: 'confirmed' })).statusCode).toBe(400); // fault_type missing
    expect((await outcome(real.id, { outcome: 'confirmed', fault_type: 'x' }, KEYS.reader)).statusCode).toBe(403);
    expect((await outcome('act_nosuchrecommendation', { outcome: 'unknown' })).statusCode).toBe(404);

    const res = await outcome(real.id, {
      outcome: 'confirmed',
      fault_type: 'gpu_fell_off_bus',
      start: '2026-11-30T08:00:00Z',
      failure: '2026-11-30T09:15:00Z',
      note: 'reseated, fell off again: RMA',
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.recommendation.outcome).toMatchObject({ value: 'confirmed', by: 'operator-2' });
    expect(body.label).toMatchObject({
      device: `${node}/0`,
      fault_type: 'gpu_fell_off_bus',
      source: 'operator',
      recommendation_id: real.id,
      start: '2026-11-30T08:00:00.000Z',
      failure: '2026-11-30T09:15:00.000Z',
      cluster: 'co',
      rack: 'co-r0',
    });

    const stored = await waitFor(
      () => labelsOf(`${node}/0`),
      (l) => l.length === 1,
    );
    expect(stored[0]).toMatchObject({ recommendation_id: real.id, note: 'reseated, fell off again: RMA' });

    const alarm = await outcome(wrong.id, { outcome: 'false_alarm', note: 'cable was loose' });
    expect(alarm.statusCode, alarm.body).toBe(200);
    expect(alarm.json().label).toBeUndefined();

    const list = await app.inject({ method: 'GET', url: `/v1/recommendations?target=${other}`, headers: KEYS.reader });
    expect(list.json().recommendations[0].outcome).toMatchObject({ value: 'false_alarm', by: 'operator-2' });
    const confirmed = await app.inject({ method: 'GET', url: `/v1/recommendations/${real.id}`, headers: KEYS.reader });
    expect(confirmed.json().outcome.value).toBe('confirmed');

    // A final outcome is not silently reversed; the same outcome again is a harmless replay.
    const flip = await outcome(real.id, { outcome: 'false_alarm' });
    expect(flip.statusCode).toBe(409);
    expect(flip.json().error.code).toBe('CONFLICT');
    expect((await outcome(wrong.id, { outcome: 'false_alarm' })).statusCode).toBe(200);

    await walApplied(app.reader, 'recommendation_outcomes');
    expect(await recordedOutcomes(real.id)).toEqual([
      { outcome: 'confirmed', actor: 'operator-2', label_device: `${node}/0` },
    ]);
    expect((await recordedOutcomes(wrong.id)).map((r) => [r.outcome, r.label_device])).toEqual([
      ['false_alarm', null],
      ['false_alarm', null],
    ]);
    await walApplied(app.reader, 'fault_labels');
    expect(await labelsOf(`${other}/0`)).toEqual([]);
  });
});

describe('hardware evidence', () => {
  it('a GPU sample with XID 48 becomes a label, source xid, once however often the batch is replayed', async () => {
    const node = uniqueTag('xidn');
    const ts = '2026-11-29T03:00:00Z';
    const rows = [
      { ts, cluster: 'co', rack: 'co-r1', node, gpu: '4', xid_count: 1, xid_last: 48, ecc_dbe_volatile: 1 },
      { ts, cluster: 'co', rack: 'co-r1', node, gpu: '5', xid_count: 1, xid_last: 31 },
    ];
    for (let i = 0; i < 2; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/telemetry/gpu',
        headers: KEYS.operator,
        payload: { rows },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ table: 'gpu_metrics', stored: 2, labelled: 1 });
    }
    const labels = await waitFor(
      () => labelsOf(`${node}/4`),
      (l) => l.length > 0,
    );
    await walApplied(app.reader, 'fault_labels');
    expect(await labelsOf(`${node}/4`)).toEqual([
      {
        device: `${node}/4`,
        fault_type: 'ecc_storm',
        start: '2026-11-29T03:00:00.000Z',
        failure: '2026-11-29T03:00:00.000Z',
        source: 'xid',
        note: 'XID 48 (double-bit ECC error) in gpu_metrics',
        cluster: 'co',
        rack: 'co-r1',
        node,
        gpu: '4',
        xid: 48,
      },
    ]);
    expect(labels[0].source).toBe('xid');
    expect(await labelsOf(`${node}/5`)).toEqual([]);
  });
});
