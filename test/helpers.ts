/**
 * Shared integration-test helpers: configuration for the local QuestDB and Redis, a booted app, unique ids per
 * test, and poll-with-deadline (QuestDB applies WAL rows asynchronously; tests wait for a condition, never sleep).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/api/app.js';
import { type Config, loadConfig } from '../src/config.js';

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    ...process.env,
    LOG_LEVEL: 'warn',
    API_KEYS: 'reader:test-reader-key,operator:test-operator-key,admin:test-admin-key',
    ...env,
  });
}

export const KEYS = {
  reader: { 'x-api-key': 'test-reader-key' },
  operator: { 'x-api-key': 'test-operator-key' },
  admin: { 'x-api-key': 'test-admin-key' },
} as const;

export async function bootApp(env: Record<string, string> = {}): Promise<FastifyInstance> {
  // Each app its own queue prefix unless the test shares one on purpose: a promotion published by one test's app
  // must not swap the models of another test's app.
  const app = await buildApp({ config: testConfig({ QUEUE_PREFIX: uniqueTag('fsapp'), ...env }), logger: false });
  await app.ready();
  return app;
}

/** A short unique tag for names owned by one test (nodes, queues, tables). */
export const uniqueTag = (prefix = 't'): string => `${prefix}${randomUUID().slice(0, 8)}`;

/** Poll `probe` until `done(value)` or the deadline; returns the last value or throws with it. */
export async function waitFor<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 15_000, intervalMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!done(last)) {
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
    last = await probe();
  }
  return last;
}
