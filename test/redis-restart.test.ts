/**
 * A Redis restart must not erase decisions. A private redis-server (own port and directory) is killed with SIGKILL
 * and started again: with AOF (how scripts/services.sh runs it) recommendations, approvals, delayed jobs and job
 * schedulers survive; without persistence, the scheduler role puts its schedulers back by itself and a decision
 * recorded in QuestDB is restored instead of being proposed again as new.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORECAST_SCHEDULER_ID } from '../src/forecast/jobs.js';
import { RecommendationStore } from '../src/queue/recommendation-store.js';
import { type Stoppable, startSchedulerRole } from '../src/queue/runtime.js';
import { bootApp, KEYS, uniqueTag, waitFor } from './helpers.js';
import { killNow } from './private-questdb.js';
import { fakeAction, silentLog } from './queue-fixtures.js';

const PORT = 16_390;

class PrivateRedis {
  private proc: ChildProcess | null = null;
  dir = mkdtempSync(path.join(tmpdir(), 'fleetsense-redis-'));

  async start(aof: boolean): Promise<void> {
    const args = ['--port', String(PORT), '--bind', '127.0.0.1', '--dir', this.dir, '--save', ''];
    args.push('--appendonly', aof ? 'yes' : 'no', '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction');
    this.proc = spawn('redis-server', args, { stdio: 'ignore' });
    const probe = new Redis(PORT, '127.0.0.1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => {}); // refused until the server listens: that is what we poll for
    await waitFor(
      () =>
        probe.connect().then(
          () => probe.ping(),
          () => 'down',
        ),
      (r) => r === 'PONG',
    );
    probe.disconnect();
  }

  kill(): Promise<void> {
    return killNow(this.proc);
  }

  /** Everything gone: a fresh directory, as a Redis that lost its data. */
  wipe(): void {
    rmSync(this.dir, { recursive: true, force: true });
    this.dir = mkdtempSync(path.join(tmpdir(), 'fleetsense-redis-'));
  }
}

describe('decisions through a Redis restart', () => {
  const redis = new PrivateRedis();
  const env = { REDIS_URL: `redis://127.0.0.1:${PORT}`, QUEUE_PREFIX: uniqueTag('fsrr'), REDIS_TIMEOUT_MS: '1000' };
  let app: FastifyInstance;
  let scheduler: Stoppable;
  const gated = fakeAction({ type: 'reset_gpu', severity: 'critical', requiresApproval: true });
  const rejected = fakeAction({ severity: 'critical', requiresApproval: true });
  const later = fakeAction({ notBefore: Date.now() + 3_600_000 });
  const proposed = fakeAction({ severity: 'critical', requiresApproval: true });

  const status = async (id: string) =>
    (await app.inject({ method: 'GET', url: `/v1/recommendations/${id}`, headers: KEYS.reader })).json().status;

  beforeAll(async () => {
    await redis.start(true);
    app = await bootApp(env);
    scheduler = await startSchedulerRole(app.composition, silentLog, 300);
  }, 60_000);
  afterAll(async () => {
    await scheduler?.close();
    await app?.close();
    await redis.kill();
    rmSync(redis.dir, { recursive: true, force: true });
  });

  it('keeps recommendations, approvals, delayed jobs and schedulers with AOF, and answers 503 while it is down', async () => {
    await app.remediation.submit({ actions: [gated, rejected, later, proposed] });
    const approve = await app.inject({
      method: 'POST',
      url: `/v1/recommendations/${gated.id}/approve`,
      headers: KEYS.operator,
    });
    expect(approve.statusCode).toBe(200);
    const reject = await app.inject({
      method: 'POST',
      url: `/v1/recommendations/${rejected.id}/reject`,
      headers: KEYS.operator,
      payload: { note: 'not this one' },
    });
    expect(reject.statusCode).toBe(200);
    const before = {
      gated: await status(gated.id),
      rejected: await status(rejected.id),
      proposed: await status(proposed.id),
      delayed: await app.queues.remediation.getDelayedCount(),
      scheduler: Boolean(await app.queues.forecast.getJobScheduler(FORECAST_SCHEDULER_ID)),
    };
    expect(before).toMatchObject({ rejected: 'rejected', proposed: 'proposed', delayed: 1, scheduler: true });

    // appendfsync everysec: what was written more than a second ago is on disk.
    await new Promise((r) => setTimeout(r, 1_500));
    await redis.kill();
    const whileDown = await app.inject({
      method: 'POST',
      url: `/v1/recommendations/${proposed.id}/approve`,
      headers: KEYS.operator,
    });
    expect([whileDown.statusCode, whileDown.json().error.code]).toEqual([503, 'QUEUE_UNAVAILABLE']);

    await redis.start(true);
    const after = await waitFor(
      () =>
        (async () => ({
          gated: await status(gated.id),
          rejected: await status(rejected.id),
          proposed: await status(proposed.id),
          delayed: await app.queues.remediation.getDelayedCount(),
          scheduler: Boolean(await app.queues.forecast.getJobScheduler(FORECAST_SCHEDULER_ID)),
        }))().catch(() => undefined),
      (s) => s !== undefined,
      { timeoutMs: 20_000 },
    );
    expect(after).toEqual(before);
  });

  it('without persistence, puts the schedulers back and restores a recorded decision instead of re-proposing it', async () => {
    await redis.kill();
    redis.wipe();
    await redis.start(false);
    // The scheduler role notices within its recheck interval (or on reconnect) and puts the schedulers back.
    await waitFor(
      () => app.queues.forecast.getJobScheduler(FORECAST_SCHEDULER_ID).catch(() => undefined),
      (s) => Boolean(s),
      { timeoutMs: 20_000 },
    );
    // The policy proposes the approved and the rejected action again: QuestDB's history wins over Redis's amnesia.
    const store = new RecommendationStore(app.queues.redis, {
      keyPrefix: app.queues.key(),
      writer: app.writer,
      reader: app.reader,
    });
    expect(await store.create(gated, 'policy')).toBe(false);
    expect(await store.create(rejected, 'policy')).toBe(false);
    expect(['approved', 'queued']).toContain((await store.get(gated.id))?.status);
    expect((await store.get(rejected.id))?.status).toBe('rejected');
    // An action that was only ever proposed is created as usual.
    expect(await store.create(proposed, 'policy')).toBe(true);
  });
});
