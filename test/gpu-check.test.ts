/**
 * gpu-check: option parsing, device probes, agreement and verdict logic, and one tiny end-to-end run on whatever
 * this host has (wasm training, ONNX Runtime cpu scoring, webgpu where an adapter exists), with results written.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CheckLog } from '../scripts/gpu-check/check-log.js';
import { checkWindows } from '../scripts/gpu-check/data.js';
import { type DeviceReport, parseNvidiaSmi, vulkanReport } from '../scripts/gpu-check/devices.js';
import { CHECK_FEATURES, GPU_CHECK_DEFAULTS, parseOptions } from '../scripts/gpu-check/options.js';
import {
  type GpuCheckResult,
  shortReason,
  verdicts,
  webgpuDiagnosis,
  writeResult,
} from '../scripts/gpu-check/report.js';
import { runGpuCheck } from '../scripts/gpu-check/run.js';
import { maxAbsDiff, type ProviderResult } from '../scripts/gpu-check/score-bench.js';
import { benchTraining, type TrainMeasurement } from '../scripts/gpu-check/train-bench.js';
import { defaultBackends } from '../training/backend-registry.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'fleetsense-gpu-check-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('parseOptions', () => {
  test('defaults measure every backend, webgpu then cpu providers, batches 1/64/1024, tolerance 1e-3', () => {
    const o = parseOptions([]);
    expect(o).toMatchObject({ backends: [], providers: ['webgpu', 'cpu'], batchSizes: [1, 64, 1024], tolerance: 1e-3 });
    expect(o.windows).toBe(GPU_CHECK_DEFAULTS.windows);
  });

  test('always keeps cpu as the reference provider and sorts batch sizes', () => {
    const o = parseOptions(['--providers', 'webgpu', '--batch-sizes', '64,1,64', '--backends', 'wasm,cpu']);
    expect(o.providers).toEqual(['webgpu', 'cpu']);
    expect(o.batchSizes).toEqual([1, 64]);
    expect(o.backends).toEqual(['wasm', 'cpu']);
  });

  test('rejects bad values with a usage error instead of exiting the process', () => {
    const silence = process.stderr.write;
    process.stderr.write = () => true;
    try {
      expect(() => parseOptions(['--windows', '0'])).toThrow(/windows/);
      expect(() => parseOptions(['--tolerance', 'x'])).toThrow(/tolerance/);
      expect(() => parseOptions(['--nope'])).toThrow(/unknown option/);
    } finally {
      process.stderr.write = silence;
    }
  });
});

describe('device probes', () => {
  test('parses nvidia-smi CSV rows', () => {
    const csv =
      'NVIDIA H100 80GB HBM3, 550.54.15, 81559, 00000000:18:00.0\nNVIDIA H100 80GB HBM3, 550.54.15, 81559, 00000000:2A:00.0\n';
    expect(parseNvidiaSmi(csv)).toEqual([
      { name: 'NVIDIA H100 80GB HBM3', driver: '550.54.15', memoryMiB: 81559, busId: '00000000:18:00.0' },
      { name: 'NVIDIA H100 80GB HBM3', driver: '550.54.15', memoryMiB: 81559, busId: '00000000:2A:00.0' },
    ]);
    expect(parseNvidiaSmi('\n')).toEqual([]);
  });

  test('finds the bundled Vulkan loader through LD_LIBRARY_PATH first, and explicit driver manifests', async () => {
    const lib = path.join(tmp, 'lib');
    await mkdir(lib, { recursive: true });
    await writeFile(path.join(lib, 'libvulkan.so.1'), '');
    const v = vulkanReport({ LD_LIBRARY_PATH: `/nonexistent:${lib}`, VK_DRIVER_FILES: '/x/nvidia_icd.json' });
    expect(v.loader).toBe(path.join(lib, 'libvulkan.so.1'));
    expect(v.icds[0]).toBe('/x/nvidia_icd.json');
  });

  test('diagnoses a missing adapter from what was found', () => {
    const base: DeviceReport = {
      host: { hostname: 'h', os: 'Linux', cpu: 'x', cores: 1, memoryGiB: 1, node: 'v20' },
      nvidiaSmi: { found: true, gpus: [] },
      vulkan: { loader: '/b/lib/libvulkan.so.1', icds: [] },
      webgpu: { found: false },
      onnxRuntime: { version: '1.30.0', providers: ['cpu'] },
    };
    expect(webgpuDiagnosis(base)).toMatch(/nvidia_icd\.json.*NVIDIA_DRIVER_CAPABILITIES/);
    expect(webgpuDiagnosis({ ...base, vulkan: { icds: [] } })).toMatch(/no libvulkan\.so\.1/);
    expect(webgpuDiagnosis({ ...base, nvidiaSmi: { found: false, gpus: [] } })).toMatch(/CPU-only host/);
    expect(webgpuDiagnosis({ ...base, webgpu: { found: true } })).toBeUndefined();
  });

  test("keeps the useful tail of ONNX Runtime's native error", () => {
    const ort =
      '/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 onnxruntime::webgpu::WebGpuContext::Initialize(...) adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters';
    expect(shortReason(ort)).toBe('Failed to get a WebGPU adapter: No supported adapters');
    expect(shortReason('x'.repeat(200))).toHaveLength(120);
  });
});

describe('agreement and verdicts', () => {
  test('maxAbsDiff is the largest elementwise difference, NaN when either side is NaN', () => {
    const a = [Float32Array.from([1, 2, 3]), Float32Array.from([0])];
    const b = [Float32Array.from([1, 2.5, 2.9]), Float32Array.from([0.25])];
    expect(maxAbsDiff(a, b)).toBeCloseTo(0.5, 6);
    expect(maxAbsDiff([Float32Array.from([Number.NaN, 0])], [Float32Array.from([0, 9])])).toBeNaN();
    expect(() => maxAbsDiff(a, [b[0]])).toThrow(/output count/);
  });

  const train = (backend: string, wps?: number): TrainMeasurement => ({
    backend,
    status: wps ? 'ok' : 'unavailable',
    windows: 64,
    windowsPerSecond: wps,
  });
  const score = (ep: string, wps: number[]): ProviderResult => ({
    ep,
    status: 'ok',
    measurements: wps.map((w, i) => ({ batch: [1, 1024][i], runs: 3, seconds: 1, windowsPerSecond: w, msPerBatch: 1 })),
  });

  test('ratios against the 5x targets use the largest batch; agreement uses the tolerance', () => {
    const v = verdicts(
      [train('webgpu', 600), train('wasm', 100)],
      [score('webgpu', [10, 4000]), score('cpu', [100, 1000])],
      [{ ep: 'webgpu', maxAbsDiff: 2e-3, tolerance: 1e-3, pass: false }],
    );
    expect(v.map((x) => x.result)).toEqual(['met', 'not met', 'not met']);
    expect(v[0].value).toBe(6);
    expect(v[1].value).toBe(4);
    expect(v[1].target).toContain('batch 1024');
  });

  test('without a GPU every target is n/a, with the reason', () => {
    const v = verdicts(
      [train('webgpu'), train('wasm', 100)],
      [score('cpu', [100, 1000])],
      [{ ep: 'webgpu', tolerance: 1e-3, reason: 'webgpu produced no outputs' }],
    );
    expect(v.every((x) => x.result.startsWith('n/a ('))).toBe(true);
  });
});

describe('runGpuCheck end to end (tiny)', () => {
  test('trains on wasm, scores on every provider that works here, and writes JSON + markdown', async () => {
    const out = path.join(tmp, 'results');
    const opts = {
      ...parseOptions(['--out', out]),
      windows: 32,
      windowLength: 6,
      units: 4,
      batchSize: 16,
      backends: ['wasm'],
      batchSizes: [1, 8],
      minScoreSeconds: 0.05,
      budgetSeconds: 120,
    };
    const result = await runGpuCheck(opts, new CheckLog(() => {}));
    const files = await writeResult(result, out);
    const json = JSON.parse(await readFile(files.json, 'utf8')) as GpuCheckResult;
    const wasm = json.training.find((t) => t.backend === 'wasm');
    expect(wasm?.status).toBe('ok');
    expect(wasm?.windowsPerSecond).toBeGreaterThan(0);
    expect(json.training.find((t) => t.backend === 'cpu')?.status).toBe('skipped');
    const cpu = json.scoring.find((p) => p.ep === 'cpu');
    expect(cpu?.status).toBe('ok');
    expect(cpu?.measurements.map((m) => m.batch)).toEqual([1, 8]);
    const webgpu = json.scoring.find((p) => p.ep === 'webgpu');
    if (json.devices.webgpu.found) {
      expect(json.agreement[0]).toMatchObject({ ep: 'webgpu', pass: true });
    } else {
      expect(webgpu?.status).toBe('unavailable');
      expect(webgpu?.reason).toMatch(/WebGPU adapter/i);
      expect(json.verdicts.every((v) => v.result.startsWith('n/a'))).toBe(true);
      // The fallback is reported once per path: tfjs (webgpu skipped) and ONNX Runtime (provider unavailable).
      expect(json.log.filter((l) => l.msg === 'execution provider unavailable')).toHaveLength(1);
    }
    const md = await readFile(files.md, 'utf8');
    expect(md).toContain('## Training: one epoch per TensorFlow.js backend');
    expect(md).toMatch(/\| wasm \| ok \| wasm \(cpu x\d+\) \|/);
  });

  test('an export failure after a good epoch keeps that backend ok and exports the next backend instead', async () => {
    const w = checkWindows(16, 4, CHECK_FEATURES, 3);
    const registry = defaultBackends().filter((e) => e.name === 'wasm' || e.name === 'cpu');
    const exports: string[] = [];
    const afterFirst = async (_model: unknown, backend: string) => {
      exports.push(backend);
      if (backend === 'wasm') throw new Error('disk full');
    };
    const opts = { backends: [], units: 2, batchSize: 8, seed: 1 };
    const log = new CheckLog(() => {});
    const r = await benchTraining(w, opts, log, performance.now() + 60_000, afterFirst, registry);
    expect(r.map((t) => [t.backend, t.status])).toEqual([
      ['wasm', 'ok'],
      ['cpu', 'ok'],
    ]);
    expect(exports).toEqual(['wasm', 'cpu']);
    expect(log.lines.filter((l) => l.level === 'warn').map((l) => l.data)).toEqual([
      { backend: 'wasm', err: 'disk full' },
    ]);
  });

  test('a backend whose epoch would overrun the budget is skipped with its estimate, not awaited', async () => {
    const w = checkWindows(4000, 4, CHECK_FEATURES, 3);
    const registry = defaultBackends().filter((e) => e.name === 'cpu');
    const opts = { backends: [], units: 2, batchSize: 1, seed: 1 };
    const started = performance.now();
    const r = await benchTraining(w, opts, new CheckLog(() => {}), started + 12_000, async () => {}, registry);
    expect(r).toHaveLength(1);
    expect(r[0].status).toBe('skipped');
    expect(r[0].reason).toMatch(
      /^epoch estimated at \d+ s, \d+ s of the budget left \(one batch: [\d.]+ windows\/s\)$/,
    );
    expect(r[0].windowsPerSecond).toBeGreaterThan(0);
    expect(performance.now() - started).toBeLessThan(12_000);
  });

  test('windows come from the simulator through the product feature code, scaled', () => {
    const w = checkWindows(40, 6, CHECK_FEATURES, 7);
    expect(w.data).toHaveLength(40 * 6 * CHECK_FEATURES.length);
    expect(w.data.every((v) => Number.isFinite(v))).toBe(true);
    const mean = w.data.reduce((a, b) => a + b, 0) / w.data.length;
    expect(Math.abs(mean)).toBeLessThan(1); // standardised, not raw watts and MHz
  });
});
