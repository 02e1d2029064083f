/**
 * The start of an attempt in one round trip (src/queue/commands/start-action-attempt.lua), on real Redis: it takes
 * the next attempt number only for an attempt that will run, and hands back what the processor decides from
 * otherwise. A policy decision's new actions are created as queued, in one round trip, with their jobs added.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { actionJobId } from '../src/queue/names.js';
import { fakeAction, type QueueHarness, queueHarness } from './queue-fixtures.js';

let h: QueueHarness;

beforeEach(async () => {
  h = await queueHarness();
});

afterEach(async () => {
  await h.queues.obliterate();
  await h.close();
});

const start = (id: string, occurrence = 1) =>
  h.audit.startAttempt(actionJobId(id, occurrence), h.store.key(id), occurrence);

describe('startAttempt', () => {
  it('numbers every start of a runnable action, and returns its record', async () => {
    const a = fakeAction();
    await h.store.create(a, 'test');
    const first = await start(a.id);
    expect(first.attempt).toBe(1);
    expect(first.marker).toBeUndefined();
    expect(h.store.fromHash(a.id, first.record)).toMatchObject({ id: a.id, status: 'proposed', occurrence: 1 });
    expect((await start(a.id)).attempt).toBe(2);
    // beginAttempt (the path of actions with dependencies) continues the same counter.
    expect(await h.audit.beginAttempt(actionJobId(a.id, 1))).toBe(3);
  });

  it('takes no number when a marker stands, the record is closed or superseded, or dependencies must be checked', async () => {
    const done = fakeAction();
    await h.store.create(done, 'test');
    const marker = {
      result: 'dry-run' as const,
      detail: 'd',
      executor: 'x',
      started: 1,
      finished: 2,
      attempt: 1,
      worker: 'w',
    };
    await h.audit.markCompleted(actionJobId(done.id, 1), marker);
    expect(await start(done.id)).toMatchObject({ attempt: 0, marker });

    const closed = fakeAction();
    await h.store.create(closed, 'test');
    await h.store.transition(closed.id, ['proposed'], 'rejected', 'op');
    expect((await start(closed.id)).attempt).toBe(0);

    const current = fakeAction();
    await h.store.create(current, 'test');
    expect((await start(current.id, 2)).attempt).toBe(0); // the job of an occurrence that is not the record's

    const dependent = fakeAction({ dependsOn: [current.id] });
    await h.store.create(dependent, 'test');
    const r = await start(dependent.id);
    expect([r.attempt, h.store.fromHash(dependent.id, r.record)?.action.dependsOn]).toEqual([0, [current.id]]);

    expect(await start('act_unknown')).toEqual({ record: [], attempt: 0 });
  });
});

describe('dispatcher.submit', () => {
  it('creates new actions that need no approval as queued and adds their jobs; the others wait', async () => {
    const free = [fakeAction(), fakeAction()];
    const gated = fakeAction({ requiresApproval: true });
    const summary = await h.dispatcher.submit({ actions: [...free, gated] });
    expect(summary).toMatchObject({ proposed: 3, queued: 2, awaitingApproval: 1, duplicates: 0 });
    for (const a of free) {
      expect((await h.store.get(a.id))?.status).toBe('queued');
      expect(await h.queues.get('remediation').getJob(actionJobId(a.id, 1))).toBeDefined();
    }
    expect((await h.store.get(gated.id))?.status).toBe('proposed');
    expect(await h.queues.get('remediation').getJob(actionJobId(gated.id, 1))).toBeUndefined();
    expect((await h.dispatcher.submit({ actions: free })).duplicates).toBe(2);
  });
});
