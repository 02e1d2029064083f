/**
 * A power cap whose chosen cap changes, through the whole decision loop on real Redis and QuestDB: the policy reads
 * the queue back (policy-state.ts), proposes the new cap as superseding the waiting one, and the dispatcher closes
 * the old record as `superseded` (durably recorded) before storing the new one. An approved cap stands.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { actionRecords } from '../src/queue/policy-state.js';
import { recommend } from '../src/recommend/engine.js';
import { capForecast, input, MIN, NOW } from '../src/recommend/testing/fleet.js';
import type { RecommendedAction } from '../src/recommend/types.js';
import { waitFor } from './helpers.js';
import { type QueueHarness, queueHarness } from './queue-fixtures.js';

let h: QueueHarness;
beforeEach(async () => {
  h = await queueHarness();
});
afterEach(async () => {
  await h.close();
});

const GPU = 'c1r1n2/g1';

/** One policy decision `minutes` after NOW on what the queue holds, as the batch forecast makes it. */
async function decision(capW: number, minutes: number, device = GPU) {
  const now = NOW + minutes * MIN;
  const records = await actionRecords(h.store, now - 7 * 24 * 60 * MIN);
  return recommend(input({ now, powerForecasts: [capForecast(device, capW, now)], ...records }));
}

const capOf = (r: { actions: readonly RecommendedAction[] }) => r.actions.find((a) => a.type === 'power_cap_gpu')!;

describe('superseding a waiting power cap', () => {
  it('closes the old proposal as superseded, proposes the new cap, and brings the old one back if it returns', async () => {
    const first = await decision(600, 0);
    expect(await h.dispatcher.submit(first, 'forecast')).toMatchObject({ proposed: 1, superseded: 0 });
    const a = capOf(first);

    const second = await decision(500, 30);
    const b = capOf(second);
    expect(b.supersedes).toBe(a.id);
    expect(await h.dispatcher.submit(second, 'forecast')).toMatchObject({ proposed: 1, superseded: 1 });
    expect(await h.store.require(a.id)).toMatchObject({ status: 'superseded', note: `superseded by ${b.id}` });
    expect(await h.store.require(b.id)).toMatchObject({ status: 'proposed', action: { params: { powerCapW: 500 } } });

    // The same cap again is a repeated detection; nothing more is superseded.
    expect(await h.dispatcher.submit(await decision(500, 60), 'forecast')).toMatchObject({
      proposed: 0,
      superseded: 0,
      duplicates: 1,
    });

    // The model goes back to 600 W: the first record is proposed again, the second superseded.
    const back = await decision(600, 90);
    expect(capOf(back)).toMatchObject({ id: a.id, supersedes: b.id });
    expect(await h.dispatcher.submit(back, 'forecast')).toMatchObject({ proposed: 1, superseded: 1 });
    const reproposed = await h.store.require(a.id);
    expect(reproposed.status).toBe('proposed');
    expect(reproposed.note).toBeUndefined();
    expect((await h.store.require(b.id)).status).toBe('superseded');

    // The history in QuestDB holds the superseding, with the successor named.
    const rows = await waitFor(
      () =>
        h.reader.query<{ status: string; note: string }>(
          'SELECT status, note FROM recommendations WHERE id = $1 AND namespace = $2 ORDER BY ts',
          [a.id, h.queues.key()],
        ),
      (r) => r.filter((x) => x.status === 'superseded').length === 1 && r.length === 3,
    );
    expect(rows.map((r) => r.status)).toEqual(['proposed', 'superseded', 'proposed']);
    expect(rows[1]!.note).toBe(`superseded by ${b.id}`);
  });

  it('withdraws a waiting cap once no cap is within the budget, durably, with the reason', async () => {
    const first = await decision(600, 0);
    await h.dispatcher.submit(first, 'forecast');
    const now = NOW + 30 * MIN;
    const records = await actionRecords(h.store, now - 7 * 24 * 60 * MIN);
    // -10 % throughput at the only candidate: past the 5 % budget and the 1-point hysteresis.
    const costly = { ...capForecast(GPU, 500, now), candidates: [{ powerCapW: 500, throughput: 900, powerW: 2200 }] };
    const later = recommend(input({ now, powerForecasts: [costly], ...records }));
    expect(later.withdrawn.map((w) => w.id)).toEqual([capOf(first).id]);
    expect(await h.dispatcher.submit(later, 'forecast')).toMatchObject({ proposed: 0, superseded: 1 });
    const closed = await h.store.require(capOf(first).id);
    expect(closed.status).toBe('superseded');
    expect(closed.note).toMatch(/^withdrawn: the forecast of .* no candidate saves/);
    // Submitting the same decision again closes nothing more.
    expect(await h.dispatcher.submit(later, 'forecast')).toMatchObject({ superseded: 0 });
  });

  it('an approved cap stands, also when it is approved between the decision and its dispatch', async () => {
    await h.dispatcher.submit(await decision(600, 0), 'forecast');
    const later = await decision(500, 30);
    const old = capOf(later).supersedes!;
    expect(old).toBeDefined();
    await h.dispatcher.approve(old, 'operator-1');

    const summary = await h.dispatcher.submit(later, 'forecast');
    expect(summary).toMatchObject({ proposed: 0, suppressed: 1, superseded: 0 });
    expect((await h.store.require(old)).status).toBe('queued');
    const successor = await h.store.require(capOf(later).id);
    expect(successor).toMatchObject({ status: 'suppressed', action: { suppressedBy: 'dedup' } });
    expect(successor.action.supersedes).toBeUndefined();

    // The next decision sees the approved cap open and does not try again.
    const next = capOf(await decision(500, 60));
    expect(next).toMatchObject({ status: 'suppressed', suppressedBy: 'dedup' });
    expect(next.supersedes).toBeUndefined();
  });
});
