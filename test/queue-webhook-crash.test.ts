/**
 * At-least-once delivery, proven with a worker killed during a slow webhook: real Redis and QuestDB, the product's
 * webhook executor in a worker PROCESS, a receiver on 127.0.0.1 run by this test. The first delivery hangs; the
 * test SIGKILLs the worker while the receiver holds it; another worker recovers the stalled job and delivers again.
 * The receiver must see the same idempotency key both times (so it can apply the action once), and the audit must
 * show both attempts: the killed one as started with its outcome unknown, the retry as attempt 2 with its outcome.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signBody } from '../src/queue/executors/webhook.js';
import { waitFor } from './helpers.js';
import { fakeAction, type QueueHarness, queueHarness, walApplied } from './queue-fixtures.js';
import { killAllWorkers, killWorker, spawnWorker } from './queue-worker-process.js';

interface Delivery {
  readonly key: string | undefined;
  readonly signatureValid: boolean;
  readonly body: { id: string; attempt: number; idempotencyKey: string };
}

/** A receiver that deduplicates on the idempotency key; it holds the first delivery open until the test ends. */
async function slowReceiver(secret: string) {
  const deliveries: Delivery[] = [];
  const applied = new Set<string>();
  const held: ServerResponse[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const key = req.headers['idempotency-key'];
      deliveries.push({
        key: typeof key === 'string' ? key : undefined,
        signatureValid: req.headers['x-fleetsense-signature'] === signBody(secret, raw),
        body: JSON.parse(raw),
      });
      if (deliveries.length === 1) {
        held.push(res); // slow: the worker dies while waiting for this answer
        return;
      }
      const duplicate = typeof key === 'string' && applied.has(key);
      if (typeof key === 'string') applied.add(key);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ duplicate }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/remediate`,
    deliveries,
    async close() {
      for (const r of held) r.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

interface AttemptRow {
  attempt: number;
  result: string;
  worker: string;
  idempotency_key: string;
  started: Date | null;
  finished: Date | null;
}

let h: QueueHarness;
let receiver: Awaited<ReturnType<typeof slowReceiver>>;

beforeEach(async () => {
  h = await queueHarness();
  receiver = await slowReceiver('crash-test-secret');
});
afterEach(async () => {
  killAllWorkers();
  await receiver.close();
  await h.close();
});

describe('a worker killed during a webhook', () => {
  it('delivers again with the same idempotency key and a new attempt, and the audit shows both attempts', async () => {
    const env = {
      FSQ_MODE: 'product',
      REMEDIATION_EXECUTOR: 'webhook',
      REMEDIATION_WEBHOOK_URL: receiver.url,
      REMEDIATION_WEBHOOK_SECRET: 'crash-test-secret',
      REMEDIATION_DRY_RUN: 'false',
    };
    const a = spawnWorker(h.prefix, env);
    await a.next('ready');
    const action = fakeAction({ type: 'open_ticket' });
    await h.dispatcher.submit({ actions: [action] });
    await waitFor(
      async () => receiver.deliveries.length,
      (n) => n === 1,
      { timeoutMs: 30_000, intervalMs: 20 },
    );
    await killWorker(a); // mid-webhook: the POST was received, its answer never arrives

    const b = spawnWorker(h.prefix, env);
    await b.next('ready');
    await waitFor(
      () => h.store.require(action.id),
      (r) => r.status === 'executed',
      { timeoutMs: 30_000 },
    );

    // The receiver: two deliveries of one execution, told apart by attempt, deduplicable by key.
    // (Soft: a failure here still runs the audit checks below, so one run shows everything that is wrong.)
    expect.soft(receiver.deliveries.map((d) => [d.key, d.body.attempt])).toEqual([
      [action.id, 1],
      [action.id, 2],
    ]);
    expect(receiver.deliveries.map((d) => d.body.idempotencyKey)).toEqual([action.id, action.id]);
    expect(receiver.deliveries.every((d) => d.signatureValid && d.body.id === action.id)).toBe(true);
    // The audit: one row per attempt. The killed one is still "started, outcome unknown" (no finished time).
    await walApplied(h.reader, 'remediation_actions');
    const rows = await h.reader.query<AttemptRow>(
      'SELECT attempt, result, worker, idempotency_key, started, finished FROM remediation_actions ' +
        'WHERE action_id = $1 ORDER BY attempt',
      [action.id],
    );
    expect(rows.map((r) => [Number(r.attempt), r.result])).toEqual([
      [1, 'started'],
      [2, 'succeeded'],
    ]);
    expect(rows.map((r) => r.idempotency_key)).toEqual([action.id, action.id]);
    expect(rows[0].worker).toMatch(new RegExp(`:${a.proc.pid}$`));
    expect(rows[0].started).not.toBeNull();
    expect(rows[0].finished).toBeNull();
    expect(rows[1].worker).toMatch(new RegExp(`:${b.proc.pid}$`));
    expect(rows[1].finished).not.toBeNull();
    expect(new Date(rows[1].started ?? 0).getTime()).toBeGreaterThan(new Date(rows[0].started ?? 0).getTime());
    const job = await h.queues.remediation.getJob(action.id);
    expect(job?.returnvalue).toMatchObject({ result: 'succeeded', attempt: 2, replayed: false });
    expect(job?.returnvalue.detail).toMatch(/→ 200 \{"duplicate":false\}/);
  });
});
