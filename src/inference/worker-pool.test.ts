import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { offsetAutoencoder } from './testing/graph-models.js';
import { SessionWorkerPool, spawnSessionWorker } from './worker-pool.js';

const T = 2;
const F = 3;
let dir: string;
let modelPath: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fleetsense-pool-'));
  modelPath = path.join(dir, 'model.onnx');
  await writeFile(modelPath, offsetAutoencoder(T, F, 1));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function runOnce(pool: SessionWorkerPool, value: number): Promise<number> {
  const data = new Float32Array(T * F).fill(value);
  const { outputs } = await pool.run('m@v1', { data: data.buffer, dims: [1, T, F] });
  return new Float32Array(outputs.reconstruction.data)[0];
}

describe('SessionWorkerPool', () => {
  test('a worker that dies is replaced with its sessions reloaded, and the pool keeps serving', async () => {
    const threads: Worker[] = [];
    const pool = SessionWorkerPool.start(2, pino({ level: 'silent' }), () => {
      const w = spawnSessionWorker();
      threads.push(w);
      return w;
    });
    try {
      const loaded = await pool.load('m@v1', modelPath, ['cpu'], { intraOpThreads: 1 });
      expect([loaded.ep, loaded.inputName, loaded.outputNames]).toEqual(['cpu', 'input', ['reconstruction']]);
      expect(await runOnce(pool, 1)).toBe(2);

      await threads[0].terminate(); // as if the thread had died (out of memory, native fault)
      const deadline = Date.now() + 10_000;
      while (threads.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(threads).toHaveLength(3);

      // The replacement comes back with the session reloaded; meanwhile the surviving worker serves everything.
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => runOnce(pool, i)));
      expect(results).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      await threads[1].terminate(); // now the replacement must serve alone
      expect(await runOnce(pool, 5)).toBe(6);
    } finally {
      await pool.close();
    }
  });

  test('close drains and then refuses new work', async () => {
    const pool = SessionWorkerPool.start(1, pino({ level: 'silent' }));
    await pool.load('m@v1', modelPath, ['cpu'], { intraOpThreads: 1 });
    const inFlight = runOnce(pool, 3);
    await pool.close();
    expect(await inFlight).toBe(4);
    await expect(runOnce(pool, 1)).rejects.toMatchObject({ code: 'INFERENCE_FAILED' });
  });
});
