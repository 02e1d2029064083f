/**
 * Worker processes on real Redis and QuestDB: a worker SIGKILLed mid-job loses no action; the killed attempt stays
 * in the audit as started with its outcome unknown and the retry is a new attempt; a worker killed after its audit
 * row was written is not executed again; two processes share the load; SIGTERM lets the active job finish.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from './helpers.js';
import { fakeAction, type QueueHarness, queueHarness, walApplied } from './queue-fixtures.js';
import { killAllWorkers, killWorker, spawnWorker as spawn } from './queue-worker-process.js';

let h: QueueHarness;

beforeEach(async () => {
  h = await queueHarness();
});
afterEach(async () => {
  killAllWorkers();
  await h.close();
});

const spawnWorker = (env: Record<string, string> = {}) => spawn(h.prefix, env);
const kill = killWorker;

/** The action is executed and its job is finished (the store changes just before the job completes). */
const executed = async (h: QueueHarness, id: string) => {
  await waitFor(
    () => h.store.require(id),
    (r) => r.status === 'executed',
    { timeoutMs: 30_000 },
  );
  return waitFor(
    () => h.queues.remediation.getJob(id),
    (j) => j?.finishedOn !== undefined,
  );
};

describe('worker processes', () => {
  it('recovers a job whose worker was SIGKILLed while executing, as a new attempt beside the unfinished one', async () => {
    const a = spawnWorker({ FSQ_DELAY_MS: '60000' });
    await a.next('ready');
    const action = fakeAction();
    await h.dispatcher.submit({ actions: [action] });
    const started = await a.next('executing');
    expect(started).toMatchObject({ actionId: action.id, attempt: 1 });
    await kill(a);

    const b = spawnWorker({ FSQ_DELAY_MS: '0' });
    await b.next('ready');
    expect(await b.next('executing')).toMatchObject({ actionId: action.id, attempt: 2 });
    await executed(h, action.id);
    const job = await h.queues.remediation.getJob(action.id);
    expect(await job?.getState()).toBe('completed');
    expect(job?.returnvalue).toMatchObject({ result: 'dry-run', attempt: 2, replayed: false });
    await walApplied(h.reader, 'remediation_actions');
    const rows = await h.auditRows(action.id);
    // The killed attempt: started, never finished. The retry: its own attempt number and its outcome.
    expect(rows.map((r) => [r.attempt, r.result])).toEqual([
      [1, 'started'],
      [2, 'dry-run'],
    ]);
    expect(rows[0].worker).toMatch(new RegExp(`:${a.proc.pid}$`));
    expect(rows[1].worker).toMatch(new RegExp(`:${b.proc.pid}$`));
    expect(job?.attemptsMade).toBe(1); // BullMQ counts one attempt: stalled-job recovery does not advance it
  });

  it('does not execute or audit twice when the worker dies after writing the audit row', async () => {
    const a = spawnWorker({ FSQ_MODE: 'hang-after-audit' });
    await a.next('ready');
    const action = fakeAction();
    await h.dispatcher.submit({ actions: [action] });
    await a.next('audited');
    // The row is durable before the job completes: it is already there when the worker dies.
    await waitFor(
      () => h.auditRows(action.id),
      (r) => r.length === 1,
    );
    await kill(a);

    const b = spawnWorker();
    await b.next('ready');
    await executed(h, action.id);
    const job = await h.queues.remediation.getJob(action.id);
    expect(job?.returnvalue).toMatchObject({ replayed: true, attempt: 1 });
    expect(b.messages.filter((m) => m.type === 'executing')).toHaveLength(0);
    // The replayed row is durable once the job completed; once QuestDB applied it, it must have collapsed into one.
    await walApplied(h.reader, 'remediation_actions');
    const rows = await h.auditRows(action.id);
    expect(rows).toHaveLength(1);
    expect(rows[0].result).toBe('dry-run');
    expect((await h.auditRows(action.id))[0].worker).toMatch(new RegExp(`:${a.proc.pid}$`));
  });

  it('shares the load between two worker processes, each action executed once', async () => {
    const a = spawnWorker({ FSQ_DELAY_MS: '50' });
    const b = spawnWorker({ FSQ_DELAY_MS: '50' });
    await Promise.all([a.next('ready'), b.next('ready')]);
    const actions = Array.from({ length: 24 }, () => fakeAction());
    const summary = await h.dispatcher.submit({ actions });
    expect(summary.queued).toBe(24);
    await waitFor(
      () => h.store.list({ status: 'executed', limit: 100 }),
      (r) => r.length === 24,
      { timeoutMs: 30_000 },
    );
    const byWorker = new Map<number, number>();
    for (const m of [...a.messages, ...b.messages]) {
      if (m.type === 'executing') byWorker.set(m.pid, (byWorker.get(m.pid) ?? 0) + 1);
    }
    expect([...byWorker.keys()].sort()).toEqual([a.proc.pid, b.proc.pid].sort());
    expect([...byWorker.values()].reduce((x, y) => x + y, 0)).toBe(24);
    const ids = actions.map((x) => x.id);
    const rows = await waitFor(
      () =>
        h.reader.query<{ action_id: string; n: number }>(
          `SELECT action_id, count() n FROM remediation_actions WHERE action_id IN (${ids.map((_, i) => `$${i + 1}`).join(', ')})`,
          ids,
        ),
      (r) => r.length === 24,
    );
    expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
  });

  it('finishes the active job on SIGTERM before exiting', async () => {
    const a = spawnWorker({ FSQ_DELAY_MS: '1500' });
    await a.next('ready');
    const action = fakeAction();
    await h.dispatcher.submit({ actions: [action] });
    await a.next('executing');
    a.proc.kill('SIGTERM');
    await a.next('closed');
    expect((await h.store.require(action.id)).status).toBe('executed');
    expect(await (await h.queues.remediation.getJob(action.id))?.getState()).toBe('completed');
  });
});
