import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../config.js';
import { AppError } from '../errors.js';
import { InferenceService } from './inference-service.js';
import { linearHeads, offsetAutoencoder, testMetadata, writeModelDir } from './testing/graph-models.js';

const T = 4;
const F = 3;
const FEATURES = ['gpu_temp_c', 'power_w', 'sm_clock_mhz'];
const log = pino({ level: 'silent' });

async function writeAutoencoder(dir: string, version: string, offset: number, createdAt: string) {
  const meta = testMetadata('ae', version, 'anomaly', {
    features: FEATURES,
    windowLength: T,
    outputs: ['reconstruction'],
    createdAt,
  });
  await writeModelDir(dir, meta, offsetAutoencoder(T, F, offset));
}

function windows(count: number, fill: (i: number) => number): Float32Array {
  const x = new Float32Array(count * T * F);
  for (let i = 0; i < x.length; i++) x[i] = fill(i);
  return x;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  return err instanceof AppError ? err.code : `not an AppError: ${String(err)}`;
}

let dir: string;
let svc: InferenceService;
const batches: number[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fleetsense-models-'));
  await writeAutoencoder(dir, 'v1', 1, '2026-01-01T00:00:00Z');
  await writeAutoencoder(dir, 'v2', 2, '2026-02-01T00:00:00Z');
  const weights = new Array(T * F).fill(0.1);
  await writeModelDir(
    dir,
    testMetadata('fault', 'v1', 'fault', { features: FEATURES, windowLength: T, outputs: ['fault_probability'] }),
    linearHeads([T, F], [{ name: 'fault_probability', weights, bias: 0, activation: 'sigmoid' }]),
  );
  const config = loadConfig({ MODELS_DIR: dir, INFERENCE_WORKERS: '2', INFERENCE_MAX_BATCH: '64' });
  svc = await InferenceService.open(config, log, { observer: { batch: (_m, _v, rows) => batches.push(rows) } });
});

afterAll(async () => {
  await svc?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('InferenceService', () => {
  test('serves the newest version by default on a working execution provider', () => {
    const ae = svc.model('ae');
    expect(ae.activeVersion).toBe('v2');
    expect(ae.rowDims).toEqual([T, F]);
    expect(['cuda', 'webgpu', 'cpu']).toContain(ae.executionProvider);
    expect(ae.versions.map((v) => [v.version, v.active])).toEqual([
      ['v2', true],
      ['v1', false],
    ]);
    expect(svc.modelFor('fault').name).toBe('fault');
    expect(svc.status().models.map((m) => m.name)).toEqual(['ae', 'fault']);
  });

  test('runs real ONNX Runtime sessions and says which version answered', async () => {
    const x = windows(2, (i) => i);
    const r = await svc.run('ae', x, [2, T, F]);
    expect(r.version).toBe('v2');
    expect(r.outputs.reconstruction.dims).toEqual([2, T, F]);
    expect(Array.from(r.outputs.reconstruction.data)).toEqual(Array.from(x, (v) => v + 2));

    const pinned = await svc.run(
      'ae',
      windows(1, () => 5),
      [1, T, F],
      { version: 'v1' },
    );
    expect(pinned.version).toBe('v1');
    expect(pinned.outputs.reconstruction.data[0]).toBe(6);

    const fault = await svc.run(
      'fault',
      windows(1, () => 1),
      [1, T, F],
    );
    expect(fault.outputs.fault_probability.dims).toEqual([1, 1]);
    expect(fault.outputs.fault_probability.data[0]).toBeCloseTo(1 / (1 + Math.exp(-1.2)), 5);
  });

  test('concurrent requests are micro-batched and each gets its own rows back', async () => {
    batches.length = 0;
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, k) =>
        svc.run(
          'ae',
          windows(1, () => k),
          [1, T, F],
        ),
      ),
    );
    for (const [k, r] of results.entries()) expect(r.outputs.reconstruction.data.every((v) => v === k + 2)).toBe(true);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(40);
    expect(Math.max(...batches)).toBeGreaterThan(1);
  });

  test('bad requests are refused with a code naming the problem', async () => {
    const shape = await svc
      .run('ae', windows(1, () => 0).subarray(0, 2 * F * 2), [1, 2, 2 * F])
      .catch((e: AppError) => e);
    expect(shape).toBeInstanceOf(AppError);
    expect((shape as AppError).code).toBe('INVALID_WINDOW');
    expect((shape as AppError).message).toContain(`[${T}, ${F}]`);
    expect((shape as AppError).details).toEqual({ expected: [T, F], got: [2, 2 * F] });
    expect(await codeOf(svc.run('ae', new Float32Array(0), [0, T, F]))).toBe('EMPTY_BATCH');
    expect(await codeOf(svc.run('ae', new Float32Array(5), [1, T, F]))).toBe('INVALID_WINDOW');
    expect(
      await codeOf(
        svc.run(
          'nope',
          windows(1, () => 0),
          [1, T, F],
        ),
      ),
    ).toBe('MODEL_NOT_FOUND');
    expect(
      await codeOf(
        svc.run(
          'ae',
          windows(1, () => 0),
          [1, T, F],
          { version: 'v9' },
        ),
      ),
    ).toBe('MODEL_NOT_FOUND');
    expect(
      await codeOf(
        svc.run(
          'ae',
          windows(1, () => 0),
          [1, T, F],
          { version: '../fault' },
        ),
      ),
    ).toBe('MODEL_NOT_FOUND');
    expect(await codeOf(svc.promote('ae', 'v9'))).toBe('MODEL_NOT_FOUND');
    expect(svc.model('ae').activeVersion).toBe('v2'); // a failed promote changes nothing
  });

  test('promote switches the served version and persists it across restarts', async () => {
    const info = await svc.promote('ae', 'v1');
    expect(info.activeVersion).toBe('v1');
    expect((await readFile(path.join(dir, 'ae', 'ACTIVE'), 'utf8')).trim()).toBe('v1');
    const r = await svc.run(
      'ae',
      windows(1, () => 0),
      [1, T, F],
    );
    expect([r.version, r.outputs.reconstruction.data[0]]).toEqual(['v1', 1]);

    const again = await InferenceService.open(loadConfig({ MODELS_DIR: dir, ORT_EXECUTION_PROVIDERS: 'cpu' }), log);
    try {
      expect(again.model('ae').activeVersion).toBe('v1');
    } finally {
      await again.close();
    }
  });

  test('a promote by another replica (same models directory) is followed on sync', async () => {
    const other = await InferenceService.open(loadConfig({ MODELS_DIR: dir, ORT_EXECUTION_PROVIDERS: 'cpu' }), log, {
      syncIntervalMs: 0,
    });
    try {
      const target = other.model('ae').activeVersion === 'v1' ? 'v2' : 'v1';
      await svc.promote('ae', target);
      expect(other.model('ae').activeVersion).not.toBe(target);
      await other.sync();
      expect(other.model('ae').activeVersion).toBe(target);
      expect(
        (
          await other.run(
            'ae',
            windows(1, () => 0),
            [1, T, F],
          )
        ).version,
      ).toBe(target);
    } finally {
      await other.close();
    }
  });
});
