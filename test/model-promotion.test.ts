/**
 * One way to follow a promotion: the promoting process publishes it (API route or retrain worker), every other
 * process swaps on the message, and each service's periodic sync is the floor. Two apps here have their own models
 * directories (as replicas on different hosts do), so only the message can carry the promotion from one to the other.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetAutoencoder, testMetadata, writeModelDir } from '../src/inference/testing/graph-models.js';
import { bootApp, KEYS, uniqueTag, waitFor } from './helpers.js';

const T = 8;
const F = 4;
const dirs: string[] = [];
let a: FastifyInstance;
let b: FastifyInstance;

async function modelsDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fleetsense-promote-'));
  dirs.push(dir);
  for (const [version, offset] of [
    ['v1', 1],
    ['v2', 2],
  ] as const) {
    const meta = testMetadata('relay', version, 'anomaly', {
      features: ['gpu_temp_c', 'power_w', 'sm_clock_mhz', 'fan_speed_pct'],
      windowLength: T,
      outputs: ['reconstruction'],
      createdAt: `2026-01-0${offset}T00:00:00Z`,
    });
    await writeModelDir(dir, meta, offsetAutoencoder(T, F, offset));
  }
  return dir;
}

const active = async (app: FastifyInstance) =>
  (await app.inject({ method: 'GET', url: '/v1/models/relay', headers: KEYS.reader })).json().activeVersion;

beforeAll(async () => {
  const prefix = uniqueTag('fsprom');
  const env = { QUEUE_PREFIX: prefix, INFERENCE_WORKERS: '1', ORT_EXECUTION_PROVIDERS: 'cpu' };
  a = await bootApp({ ...env, MODELS_DIR: await modelsDir() });
  b = await bootApp({ ...env, MODELS_DIR: await modelsDir() });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('a promotion through the API', () => {
  it('reaches a second process within 3 s, without a shared models directory', async () => {
    expect([await active(a), await active(b)]).toEqual(['v2', 'v2']); // newest by createdAt
    const res = await a.inject({
      method: 'POST',
      url: '/v1/models/relay/promote',
      headers: KEYS.admin,
      payload: { version: 'v1' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(await active(a)).toBe('v1');
    const started = Date.now();
    await waitFor(
      () => active(b),
      (v) => v === 'v1',
      { timeoutMs: 3_000, intervalMs: 50 },
    );
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
