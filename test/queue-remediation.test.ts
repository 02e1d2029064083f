/**
 * The remediation queue on real Redis and QuestDB: idempotent enqueue, retries with exponential backoff, bad input
 * failing without retry, approvals, and exactly one audit row per attempt (its outcome replaces its started row).
 */
import { type Job, UnrecoverableError } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActionExecutor } from '../src/queue/executors/types.js';
import { QueueWorkers } from '../src/queue/workers.js';
import { waitFor } from './helpers.js';
import { type AuditRow, fakeAction, type QueueHarness, queueHarness, silentLog } from './queue-fixtures.js';

let h: QueueHarness;
let workers: QueueWorkers | undefined;

beforeEach(async () => {
  h = await queueHarness();
});
afterEach(async () => {
  await workers?.close();
  workers = undefined;
  await h.close();
});

function startWorkers(executor: ActionExecutor, extra: { maxDependencyWaitMs?: number } = {}) {
  workers = new QueueWorkers({
    config: h.config,
    queues: h.queues,
    writer: h.writer,
    log: silentLog,
    executor,
    stalledIntervalMs: 1_000,
    dependencyRetryMs: 200,
    ...extra,
  });
  return workers;
}

const finished = (job: Job | undefined) => job?.finishedOn !== undefined;
/** `n` audit rows, each with its outcome: a started row is replaced by it once QuestDB applies the second write. */
const outcomes = (n: number) => (rows: readonly AuditRow[]) =>
  rows.length === n && rows.every((r) => r.result !== 'started');

describe('remediation queue', () => {
  it('enqueues a recommendation once however often it is submitted', async () => {
    const action = fakeAction();
    const first = await h.dispatcher.submit({ actions: [action] });
    const again = await h.dispatcher.submit({ actions: [action, { ...action }] });
    expect(first).toMatchObject({ proposed: 1, queued: 1, duplicates: 0 });
    expect(again).toMatchObject({ proposed: 0, queued: 0, duplicates: 2 });
    // A direct second add with the same jobId is a no-op in BullMQ too.
    await h.queues.remediation.add('drain_node', { actionId: action.id }, { jobId: action.id });
    expect(await h.queues.remediation.getJobCounts('wait', 'delayed', 'prioritized')).toMatchObject({
      prioritized: 1,
    });
    expect((await h.store.require(action.id)).status).toBe('queued');
  });

  it('retries a transient failure with exponential backoff, then succeeds and audits every attempt', async () => {
    const calls: number[] = [];
    startWorkers({
      name: 'flaky',
      async execute() {
        calls.push(Date.now());
        if (calls.length < 3) throw new Error(`transient failure ${calls.length}`);
        return { result: 'succeeded', detail: 'done' };
      },
    });
    const action = fakeAction();
    await h.store.create(action, 'test');
    await h.store.transition(action.id, ['proposed'], 'queued', 'test');
    await h.queues.remediation.add(
      action.type,
      { actionId: action.id },
      { jobId: action.id, attempts: 4, backoff: { type: 'exponential', delay: 300 } },
    );
    const job = await waitFor(() => h.queues.remediation.getJob(action.id), finished);
    expect(job?.returnvalue).toMatchObject({ result: 'succeeded', attempt: 3, replayed: false });
    expect(job?.attemptsMade).toBe(3);
    // Exponential: the second wait is about twice the first (300 ms, then 600 ms).
    expect(calls[1] - calls[0]).toBeGreaterThanOrEqual(290);
    expect(calls[2] - calls[1]).toBeGreaterThanOrEqual(590);
    const rows = await waitFor(() => h.auditRows(action.id), outcomes(3));
    expect(rows.map((r) => [Number(r.attempt), r.result])).toEqual([
      [1, 'error'],
      [2, 'error'],
      [3, 'succeeded'],
    ]);
    expect(rows[0].error).toMatch(/transient failure 1/);
    expect((await h.store.require(action.id)).status).toBe('executed');
  });

  it('records an attempt as started, durably, before the executor acts', async () => {
    const seen: { attempt: number; key: string; rows: AuditRow[] }[] = [];
    startWorkers({
      name: 'observer',
      async execute(a, ctx) {
        // The side effect would happen here: the started row must already be in QuestDB (durable, then applied).
        const rows = await waitFor(
          () => h.auditRows(a.id),
          (r) => r.some((x) => x.attempt === ctx.attempt),
          { timeoutMs: 5_000 },
        );
        seen.push({ attempt: ctx.attempt, key: ctx.idempotencyKey, rows });
        return { result: 'succeeded', detail: 'done' };
      },
    });
    const action = fakeAction();
    await h.dispatcher.submit({ actions: [action] });
    await waitFor(
      () => h.store.require(action.id),
      (r) => r.status === 'executed',
    );
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ attempt: 1, key: action.id });
    expect(seen[0].rows).toMatchObject([{ attempt: 1, result: 'started', executor: 'observer' }]);
    const rows = await waitFor(() => h.auditRows(action.id), outcomes(1));
    expect(rows).toMatchObject([{ attempt: 1, result: 'succeeded', detail: 'done' }]);
  });

  it('sends bad input to failed without a retry', async () => {
    let calls = 0;
    startWorkers({
      name: 'strict',
      async execute() {
        calls++;
        throw new UnrecoverableError('unsupported action for this executor');
      },
    });
    const action = fakeAction();
    await h.dispatcher.submit({ actions: [action] });
    await h.queues.remediation.add('drain_node', { actionId: 'no such action!' }, { jobId: 'bad-input' });
    const bad = await waitFor(() => h.queues.remediation.getJob('bad-input'), finished);
    const unsupported = await waitFor(() => h.queues.remediation.getJob(action.id), finished);
    for (const job of [bad, unsupported]) {
      expect(await job?.getState()).toBe('failed');
      expect(job?.attemptsMade).toBe(1); // 5 attempts configured, 1 made
    }
    expect(bad?.failedReason).toMatch(/actionId/);
    expect(calls).toBe(1);
    expect((await h.store.require(action.id)).status).toBe('failed');
    const rows = await waitFor(() => h.auditRows(action.id), outcomes(1));
    expect(rows[0]).toMatchObject({ result: 'failed', executor: 'strict' });
  });

  it('reopens a closed action as a new occurrence when the policy proposes it again', async () => {
    startWorkers({ name: 'dry-run', execute: async () => ({ result: 'dry-run', detail: 'ok' }) });
    const action = fakeAction();
    await h.dispatcher.submit({ actions: [action] });
    const first = await waitFor(
      () => h.store.require(action.id),
      (r) => r.status === 'executed',
    );
    // Within the cooldown the policy marks the repeat suppressed: nothing happens.
    expect(
      await h.dispatcher.submit({ actions: [{ ...action, status: 'suppressed', suppressedBy: 'cooldown' }] }),
    ).toMatchObject({
      duplicates: 1,
      queued: 0,
    });
    // After it, the fault is back and the policy proposes the same id: a second occurrence, a second job.
    expect(await h.dispatcher.submit({ actions: [action] })).toMatchObject({ queued: 1, duplicates: 0 });
    const second = await waitFor(
      () => h.store.require(action.id),
      (r) => r.status === 'executed' && r.occurrence === 2,
    );
    expect(second.createdAt).toBeGreaterThan(first.createdAt);
    expect(await h.queues.remediation.getJob(`${action.id}-2`)).toBeDefined();
    expect(await h.auditRows(action.id, first.createdAt)).toHaveLength(1);
    const rows = await waitFor(() => h.auditRows(action.id), outcomes(2));
    expect(rows.every((r) => r.result === 'dry-run')).toBe(true);
    // Attempts count per occurrence: each occurrence's first attempt is attempt 1.
    expect(rows.map((r) => r.attempt)).toEqual([1, 1]);
  });

  it('runs an action after the one it depends on, and fails it when that one never runs', async () => {
    const ran: string[] = [];
    startWorkers(
      {
        name: 'dry-run',
        async execute(a) {
          ran.push(a.id);
          return { result: 'dry-run', detail: 'ok' };
        },
      },
      { maxDependencyWaitMs: 3_000 },
    );
    const drain = fakeAction({ severity: 'critical', requiresApproval: true });
    const reset = fakeAction({ type: 'reset_gpu', dependsOn: [drain.id] });
    const orphan = fakeAction({ type: 'reset_gpu', dependsOn: ['act_never_proposed_here'] });
    const suppressed = fakeAction({ status: 'suppressed', suppressedBy: 'blast-radius' });
    const stuck = fakeAction({ type: 'reset_gpu', dependsOn: [suppressed.id] });
    await h.dispatcher.submit({ actions: [drain, reset, orphan, suppressed, stuck] });
    // The reset waits (delayed, re-checked) while its drain waits for approval.
    await waitFor(
      () => h.queues.remediation.getJob(reset.id).then((j) => j?.getState()),
      (s) => s === 'delayed',
    );
    expect(ran).not.toContain(reset.id);
    await h.dispatcher.approve(drain.id, 'operator-1');
    await waitFor(
      () => h.store.require(reset.id),
      (r) => r.status === 'executed',
    );
    expect(ran.indexOf(drain.id)).toBeLessThan(ran.indexOf(reset.id));
    // A dependency the store does not know is no obstacle; one that stays suppressed fails the action in time.
    expect((await h.store.require(orphan.id)).status).toBe('executed');
    const failed = await waitFor(
      () => h.store.require(stuck.id),
      (r) => r.status === 'failed',
    );
    expect(failed.note).toMatch(/still suppressed/);
    expect(ran).not.toContain(stuck.id);
  });

  it('holds approval-required actions until approved, and closes rejected ones', async () => {
    startWorkers({ name: 'dry-run', execute: async () => ({ result: 'dry-run', detail: 'would drain' }) });
    const needsApproval = fakeAction({ severity: 'critical', requiresApproval: true });
    const rejected = fakeAction({ severity: 'critical', requiresApproval: true });
    const summary = await h.dispatcher.submit({ actions: [needsApproval, rejected] });
    expect(summary).toMatchObject({ proposed: 2, queued: 0, awaitingApproval: 2 });
    expect(await h.queues.remediation.getJob(needsApproval.id)).toBeUndefined();
    await expect(h.dispatcher.enqueue(needsApproval.id, 'someone')).rejects.toMatchObject({ code: 'CONFLICT' });

    await h.dispatcher.approve(needsApproval.id, 'operator-1');
    await h.dispatcher.reject(rejected.id, 'operator-1', 'planned maintenance');
    await waitFor(
      () => h.store.require(needsApproval.id),
      (r) => r.status === 'executed',
    );
    const rows = await waitFor(() => h.auditRows(needsApproval.id), outcomes(1));
    expect(rows[0]).toMatchObject({ result: 'dry-run' });
    expect((await h.store.require(rejected.id)).status).toBe('rejected');
    await expect(h.dispatcher.approve(rejected.id, 'operator-1')).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await h.queues.remediation.getJob(rejected.id)).toBeUndefined();
  });
});
