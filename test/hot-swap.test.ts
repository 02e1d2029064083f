/**
 * Hot swap under load: hundreds of concurrent requests while a model is promoted back and forth. No request fails,
 * every response is consistent with exactly one version (v1 adds 1, v2 adds 2 to every input value), requests
 * in flight finish on the version they started with, and a retired version is released once drained.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { InferenceService } from '../src/inference/inference-service.js';
import type { InferenceResult } from '../src/inference/inference-types.js';
import { offsetAutoencoder, testMetadata, writeModelDir } from '../src/inference/testing/graph-models.js';
import { bootApp, KEYS, waitFor } from './helpers.js';

const T = 8;
const F = 4;
const OFFSET: Record<string, number> = { v1: 1, v2: 2 };
let dir: string;
let svc: InferenceService;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fleetsense-hotswap-'));
  for (const [version, offset] of Object.entries(OFFSET)) {
    const meta = testMetadata('swap', version, 'anomaly', {
      features: ['gpu_temp_c', 'power_w', 'sm_clock_mhz', 'fan_speed_pct'],
      windowLength: T,
      outputs: ['reconstruction'],
      createdAt: `2026-01-0${offset}T00:00:00Z`,
    });
    await writeModelDir(dir, meta, offsetAutoencoder(T, F, offset));
  }
  const config = loadConfig({
    MODELS_DIR: dir,
    ORT_EXECUTION_PROVIDERS: 'cpu',
    INFERENCE_WORKERS: '2',
    INFERENCE_MAX_BATCH: '32',
  });
  svc = await InferenceService.open(config, pino({ level: 'silent' }));
});

afterAll(async () => {
  await svc?.close();
  await rm(dir, { recursive: true, force: true });
});

/** `rows` windows filled with distinct values, so a response mixing rows or versions would show. */
function input(seed: number, rows: number): Float32Array {
  const x = new Float32Array(rows * T * F);
  // Integers below 2^24, so float32 holds x, x + 1 and x + 2 exactly.
  for (let i = 0; i < x.length; i++) x[i] = (seed % 4096) * 256 + i;
  return x;
}

/** The version whose offset explains every output value, or a description of the inconsistency. */
function explainedBy(x: Float32Array, r: InferenceResult): string {
  const out = r.outputs.reconstruction.data;
  if (out.length !== x.length) return `length ${out.length} != ${x.length}`;
  const offset = out[0] - x[0];
  for (let i = 0; i < x.length; i++) if (out[i] - x[i] !== offset) return `mixed offsets at ${i}`;
  const version = Object.keys(OFFSET).find((v) => OFFSET[v] === offset);
  return version === r.version ? version : `offset ${offset} but version ${r.version}`;
}

describe('hot swap', () => {
  it('serves hundreds of concurrent requests across repeated promotes without a failure or a mixed response', async () => {
    const seen = { v1: 0, v2: 0 } as Record<string, number>;
    const problems: string[] = [];
    const failures: string[] = [];
    const PROMOTES = 8;
    let promotes = 0;
    let done = false;
    // Requests keep coming (64 clients, 1..5 rows each) for as long as the promoter swaps versions back and forth.
    const client = async (c: number) => {
      for (let k = 0; !done || k < 10; k++) {
        const rows = 1 + ((c + k) % 5);
        const x = input(c * 64 + k, rows);
        try {
          const r = await svc.run('swap', x, [rows, T, F]);
          const v = explainedBy(x, r);
          if (v in seen) seen[v]++;
          else problems.push(`client ${c} request ${k}: ${v}`);
        } catch (err) {
          failures.push(String(err));
        }
      }
    };
    const clients = Array.from({ length: 64 }, (_, c) => client(c));
    for (; promotes < PROMOTES; promotes++) {
      await new Promise((r) => setTimeout(r, 20));
      await svc.promote('swap', promotes % 2 === 0 ? 'v1' : 'v2');
    }
    done = true;
    await Promise.all(clients);
    expect(failures).toEqual([]);
    expect(problems).toEqual([]);
    expect(seen.v1 + seen.v2).toBeGreaterThanOrEqual(640);
    expect(seen.v1).toBeGreaterThan(0);
    expect(seen.v2).toBeGreaterThan(0);
  });

  it('a request in flight finishes on the version it started with, and the old one is released after it', async () => {
    await svc.promote('swap', 'v1');
    const before = await svc.withModel('swap', {}, async (lease) => {
      await svc.promote('swap', 'v2'); // lands while this request holds v1
      expect(svc.model('swap').activeVersion).toBe('v2');
      expect(svc.model('swap').versions.find((v) => v.version === 'v1')?.loaded).toBe(true); // still draining
      const x = input(7, 3);
      const first = await lease.run(x, [3, T, F]);
      const second = await lease.run(x, [3, T, F]);
      return [explainedBy(x, first), explainedBy(x, second)];
    });
    expect(before).toEqual(['v1', 'v1']);
    const after = await svc.run('swap', input(8, 1), [1, T, F]);
    expect(after.version).toBe('v2');
    await waitFor(
      async () => svc.model('swap').versions.find((v) => v.version === 'v1')?.loaded,
      (loaded) => loaded === false,
    );
  });
});

describe('hot swap through the API', () => {
  it('keeps answering /v1/score/anomaly with one consistent version per response while an admin promotes', async () => {
    // Scores of the offset autoencoder are known exactly: v1 → 1² = 1, v2 → 2² = 4 (scaled units).
    const app = await bootApp({ MODELS_DIR: dir, INFERENCE_WORKERS: '2', ORT_EXECUTION_PROVIDERS: 'cpu' });
    try {
      const window = Array.from({ length: T }, (_, t) => [60 + t, 300, 1500, 40]);
      const bad: string[] = [];
      const seen = new Set<string>();
      let done = false;
      const client = async () => {
        for (let k = 0; !done || k < 5; k++) {
          const res = await app.inject({
            method: 'POST',
            url: '/v1/score/anomaly',
            headers: KEYS.reader,
            payload: { model: 'swap', windows: [window, window] },
          });
          if (res.statusCode !== 200) {
            bad.push(`${res.statusCode} ${res.body}`);
            continue;
          }
          const body = res.json() as { version: string; results: Array<{ score: number }> };
          const expected = OFFSET[body.version] ** 2;
          if (body.results.some((r) => Math.abs(r.score - expected) > 1e-6)) bad.push(`mixed: ${res.body}`);
          seen.add(body.version);
        }
      };
      const clients = Array.from({ length: 32 }, () => client());
      for (let p = 0; p < 6; p++) {
        const res = await app.inject({
          method: 'POST',
          url: '/v1/models/swap/promote',
          headers: KEYS.admin,
          payload: { version: p % 2 === 0 ? 'v1' : 'v2' },
        });
        expect(res.statusCode, res.body).toBe(200);
      }
      done = true;
      await Promise.all(clients);
      expect(bad).toEqual([]);
      expect([...seen].sort()).toEqual(['v1', 'v2']);
    } finally {
      await app.close();
    }
  });
});
