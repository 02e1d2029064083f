/**
 * WebGPU paths fall back cleanly, with the real packages (webgpu/Dawn, @tensorflow/tfjs-backend-*, onnxruntime-node):
 * on a host without a WebGPU adapter, TensorFlow.js ends on wasm with the reason webgpu was passed over logged
 * once, and an ONNX Runtime session asked for ['webgpu', 'cpu'] ends on cpu with exactly one warning line, however
 * many session workers load it. On a host with an adapter the same tests assert that webgpu is chosen instead.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../src/config.js';
import { InferenceService } from '../src/inference/inference-service.js';
import { offsetAutoencoder, testMetadata, writeModelDir } from '../src/inference/testing/graph-models.js';
import { chooseBackend } from '../training/backend.js';
import { defaultBackends } from '../training/backend-registry.js';

/** Does Dawn find a real adapter here? Asked through the real package, as the product asks. */
async function hasWebGpuAdapter(): Promise<boolean> {
  const { create } = await import('webgpu');
  return (await create([]).requestAdapter({ powerPreference: 'high-performance' })) !== null;
}

let adapter: boolean;
beforeAll(async () => {
  adapter = await hasWebGpuAdapter();
});

describe('TensorFlow.js backend choice with the real packages', () => {
  test('ends on wasm (or webgpu where an adapter exists), logging once why webgpu was skipped', async () => {
    const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
    const log = {
      info: (obj: object, msg: string) => lines.push({ level: 'info', obj: { ...obj }, msg }),
      warn: (obj: object, msg: string) => lines.push({ level: 'warn', obj: { ...obj }, msg }),
    };
    const chosen = await chooseBackend({ registry: defaultBackends(), log });
    const webgpuLines = lines.filter((l) => l.obj.backend === 'webgpu' || l.obj.name === 'webgpu');
    expect(lines.filter((l) => l.level === 'warn')).toEqual([]); // nothing is broken, only absent
    if (adapter) {
      expect(chosen.name).toBe('webgpu');
      expect(chosen.device).toMatch(/^webgpu /);
      return;
    }
    expect(chosen.name).toBe('wasm');
    expect(chosen.device).toMatch(/^wasm \(cpu x\d+\)$/);
    expect(webgpuLines).toHaveLength(1);
    expect(webgpuLines[0].msg).toBe('tfjs compute backend skipped');
    expect(webgpuLines[0].obj.reason).toMatch(/no WebGPU adapter/);
    // The choice itself is the last line, after the skipped ones (node-gpu, node: not installed here).
    expect(lines.at(-1)).toMatchObject({ msg: 'tfjs compute backend', obj: { name: 'wasm' } });
    const skipped = lines.filter((l) => l.msg === 'tfjs compute backend skipped').map((l) => l.obj.backend);
    expect(skipped).toContain('webgpu');
    expect(skipped).not.toContain('wasm');
  });

  test('asking for webgpu explicitly fails with BACKEND_UNAVAILABLE where there is no adapter', async () => {
    const quiet = { info: () => {}, warn: () => {} };
    const result = await chooseBackend({ registry: defaultBackends(), requested: 'webgpu', log: quiet }).then(
      (c) => c.name,
      (e: { code?: string; details?: { available?: string[] } }) => `${e.code}: ${e.details?.available?.join(',')}`,
    );
    expect(result).toBe(adapter ? 'webgpu' : 'BACKEND_UNAVAILABLE: wasm,cpu');
  });
});

describe('ONNX Runtime session asked for [webgpu, cpu]', () => {
  const T = 4;
  const FEATURES = ['gpu_temp_c', 'power_w'];
  const logged: { level: number; msg: string; ep?: string; reason?: string; model?: string }[] = [];
  let dir: string;
  let svc: InferenceService | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'fleetsense-gpu-fallback-'));
    const meta = testMetadata('ae', 'v1', 'anomaly', {
      features: FEATURES,
      windowLength: T,
      outputs: ['reconstruction'],
    });
    await writeModelDir(dir, meta, offsetAutoencoder(T, FEATURES.length, 0.5));
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk)
          .split('\n')
          .filter((l) => l.length > 0))
          logged.push(JSON.parse(line));
        done();
      },
    });
    // Two session workers: the fallback must still be attempted and logged once per model version.
    const config = loadConfig({ MODELS_DIR: dir, INFERENCE_WORKERS: '2', ORT_EXECUTION_PROVIDERS: 'webgpu,cpu' });
    svc = await InferenceService.open(config, pino({ level: 'info' }, sink));
  });

  afterAll(async () => {
    await svc?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('the default order cuda → webgpu → cpu skips cuda (provider library not installed) without trying it', async () => {
    const lines: { level: number; ep?: string; reason?: string }[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk)
          .split('\n')
          .filter((l) => l.length > 0))
          lines.push(JSON.parse(line));
        done();
      },
    });
    const config = loadConfig({ MODELS_DIR: dir, INFERENCE_WORKERS: '1' });
    expect(config.models.executionProviders).toEqual(['cuda', 'webgpu', 'cpu']);
    const other = await InferenceService.open(config, pino({ level: 'info' }, sink));
    try {
      const warned = lines.filter((l) => l.level === 40);
      expect(warned.map((l) => l.ep)).toEqual(adapter ? ['cuda'] : ['cuda', 'webgpu']);
      expect(warned[0].reason).toMatch(/libonnxruntime_providers_cuda\.so is not installed/);
      expect(other.model('ae').executionProvider).toBe(adapter ? 'webgpu' : 'cpu');
    } finally {
      await other.close();
    }
  });

  test('ends on cpu with one warning line naming webgpu and why, and scores correctly there', async () => {
    if (!svc) throw new Error('service did not open');
    const info = svc.model('ae');
    const warnings = logged.filter((l) => l.level === 40);
    if (adapter) {
      expect(info.executionProvider).toBe('webgpu');
      expect(warnings).toEqual([]);
    } else {
      expect(info.executionProvider).toBe('cpu');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ ep: 'webgpu', model: 'ae@v1' });
      expect(warnings[0].reason).toMatch(/WebGPU adapter/i);
      expect(logged.filter((l) => l.msg === 'loaded ae@v1 on cpu')).toHaveLength(1);
    }
    // The session that was chosen really runs: reconstruction = input + 0.5.
    const x = Float32Array.from({ length: 3 * T * FEATURES.length }, (_, i) => i / 10);
    const out = await svc.withModel('ae', {}, (lease) => lease.run(x, [3, T, FEATURES.length]));
    const rec = out.outputs.reconstruction.data;
    expect(rec).toHaveLength(x.length);
    for (let i = 0; i < x.length; i++) expect(rec[i]).toBeCloseTo(x[i] + 0.5, 5);
  });
});
