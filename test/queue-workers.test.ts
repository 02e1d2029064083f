/**
 * Worker processes on real Redis and QuestDB: a worker SIGKILLed mid-job loses no action and the action is audited
 * once (killed while executing, and killed after its audit row was written); two processes share the load; SIGTERM
 * lets the active job finish.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from './helpers.js';
import { fakeAction, type QueueHarness, queueHarness, walApplied } from './queue-fixtures.js';

type Msg = { type: string; pid: number; actionId?: string; attempt?: number };

let h: QueueHarness;
const children: ChildProcess[] = [];

beforeEach(async () => {
  h = await queueHarness();
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await h.close();
});

interface Child {
  proc: ChildProcess;
  messages: Msg[];
  next(type: string, timeoutMs?: number): Promise<Msg>;
}

function spawnWorker(env: Record<string, string> = {}): Child {
  const proc = fork(new URL('./queue-worker-child.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, FSQ_PREFIX: h.prefix, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(proc);
  const messages: Msg[] = [];
  const waiters: Array<() => void> = [];
  proc.on('message', (m: Msg) => {
    messages.push(m);
    for (const w of waiters.splice(0)) w();
  });
  return {
    proc,
    messages,
    next(type, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "${type}" message within ${timeoutMs} ms`)), timeoutMs);
        const check = () => {
          const found = messages.find((m) => m.type === type);
          if (found) {
            clearTimeout(timer);
            resolve(found);
          } else waiters.push(check);
        };
        check();
      });
    },
  };
}

async function kill(child: Child): Promise<void> {
  const exited = new Promise((r) => child.proc.once('exit', r));
  child.proc.kill('SIGKILL');
  await exited;
}

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
  it('recovers a job whose worker was SIGKILLed while executing, and audits it once', async () => {
    const a = spawnWorker({ FSQ_DELAY_MS: '60000' });
    await a.next('ready');
    const action = fakeAction();
    await h.dispatcher.submit({ actions: [action] });
    const started = await a.next('executing');
    expect(started).toMatchObject({ actionId: action.id, attempt: 1 });
    await kill(a);

    const b = spawnWorker({ FSQ_DELAY_MS: '0' });
    await b.next('ready');
    await executed(h, action.id);
    const job = await h.queues.remediation.getJob(action.id);
    expect(await job?.getState()).toBe('completed');
    expect(job?.returnvalue).toMatchObject({ result: 'dry-run', replayed: false });
    await walApplied(h.reader, 'remediation_actions');
    const rows = await h.auditRows(action.id);
    expect(rows).toHaveLength(1);
    expect(rows[0].worker).toMatch(new RegExp(`:${b.proc.pid}$`));
    expect(Number(rows[0].attempt)).toBe(1); // the killed run did not count as a retry
    expect(job?.attemptsStarted).toBe(2);
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
