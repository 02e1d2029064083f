/**
 * Scoring and model API end to end: real app (buildApp + inject), real ONNX Runtime sessions over tiny graphs
 * whose outputs are known exactly, real QuestDB for device windows.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestWindow } from '../src/features/model-inputs.js';
import type { ModelMetadata } from '../src/features/model-metadata.js';
import { reconstructionScores } from '../src/features/reconstruction.js';
import {
  failsAboveOneRow,
  linearHeads,
  offsetAutoencoder,
  testMetadata,
  writeModelDir,
} from '../src/inference/testing/graph-models.js';
import { seriesFromWindows } from '../src/inference/window-requests.js';
import { buildAnomalyDetector } from '../training/models/anomaly.js';
import { exportToOnnx } from '../training/onnx/export.js';
import { bootApp, KEYS, uniqueTag, waitFor } from './helpers.js';

const T = 6;
const FEATURES = ['gpu_temp_c', 'power_w', 'delta:ecc_sbe_volatile'];
const FIELDS = ['gpu_temp_c', 'power_w', 'ecc_sbe_volatile'];
const F = FEATURES.length;
const OFFSETS = [0.1, 0.3, 0.2]; // power_w carries most of the error, then ecc, then temperature
const SCORE = OFFSETS.reduce((a, o) => a + o * o, 0) / F;
const scaler = { kind: 'standard' as const, mean: [60, 300, 0], scale: [10, 50, 1] };

let app: FastifyInstance;
let dir: string;
/** A real LSTM autoencoder (untrained, seeded) exported from TensorFlow.js: served by ORT, checked against tfjs. */
const lstm = buildAnomalyDetector({ windowLength: T, features: F, units: 4 });
const lstmMeta = testMetadata('tfae', 'v1', 'anomaly', {
  features: FEATURES,
  scaler,
  windowLength: T,
  outputs: ['reconstruction'],
  onnx: { file: 'model.onnx', input: 'input', outputs: ['reconstruction'], opset: 17 },
});

const ae = (version: string, offsets: number[], threshold: number, createdAt: string): [ModelMetadata, Uint8Array] => [
  testMetadata('ae', version, 'anomaly', {
    features: FEATURES,
    scaler,
    windowLength: T,
    outputs: ['reconstruction'],
    createdAt,
    threshold: { value: threshold, method: 'fixed', params: {} },
    metrics: { f1: version === 'v1' ? 0.8 : 0.9 },
  }),
  offsetAutoencoder(T, F, offsets),
];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fleetsense-api-models-'));
  const zeros = new Array(T * F).fill(0);
  const models: Array<[ModelMetadata, Uint8Array]> = [
    ae('v1', OFFSETS, SCORE * 2, '2026-01-01T00:00:00Z'), // v1: below threshold
    ae(
      'v2',
      OFFSETS.map((o) => o * 2),
      SCORE * 2,
      '2026-01-02T00:00:00Z',
    ), // v2: 4x the score, above it
    [
      testMetadata('fault', 'v1', 'fault', {
        features: FEATURES,
        scaler,
        windowLength: T,
        outputs: ['fault_probability'],
        horizonSteps: 30,
      }),
      linearHeads([T, F], [{ name: 'fault_probability', weights: zeros, bias: 1, activation: 'sigmoid' }]),
    ],
    [
      testMetadata('ttf', 'v1', 'ttf', {
        features: FEATURES,
        scaler,
        windowLength: T,
        outputs: ['ttf_fraction'],
        ttfCapSteps: 360,
      }),
      linearHeads([T, F], [{ name: 'ttf_fraction', weights: zeros, bias: 0.5, activation: 'none' }]),
    ],
    [
      testMetadata('tp', 'v1', 'throughput', {
        features: ['n_gpus', 'log:batch_size', 'gpu_model=H100'],
        windowLength: 1,
        outputs: ['throughput'],
        targetScaler: { kind: 'standard', mean: [1000], scale: [100] },
      }),
      linearHeads([3], [{ name: 'throughput', weights: [1, 0, 0.5], bias: 0, activation: 'none' }]),
    ],
    [
      // Reads its rack's inlet air (rack: fields come from facility_metrics).
      testMetadata('rackae', 'v1', 'anomaly', {
        features: ['gpu_temp_c', 'rack:inlet_temp_c'],
        windowLength: T,
        outputs: ['reconstruction'],
      }),
      offsetAutoencoder(T, 2, [0, 0]),
    ],
    [
      testMetadata('broken', 'v1', 'anomaly', { features: FEATURES, windowLength: T, outputs: ['reconstruction'] }),
      failsAboveOneRow(T, F),
    ],
  ];
  models.push([lstmMeta, exportToOnnx(lstm, { name: 'tfae', version: 'v1', features: FEATURES })]);
  for (const [meta, bytes] of models) await writeModelDir(dir, meta, bytes);
  app = await bootApp({ MODELS_DIR: dir, INFERENCE_WORKERS: '2' });
});

afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A raw window: `rows` rows of [temperature, power, ecc counter]. */
const rawWindow = (rows = T, base = 0) => Array.from({ length: rows }, (_, t) => [60 + base + t, 300 + t, t]);

const post = (url: string, payload: unknown, headers: Record<string, string> = KEYS.reader) =>
  app.inject({ method: 'POST', url, headers, payload: payload as Record<string, unknown> });

describe('GET /v1/models', () => {
  it('lists served models with versions, metrics, the active one and its execution provider', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/models', headers: KEYS.reader });
    expect(res.statusCode, res.body).toBe(200);
    const models = res.json().models as Array<Record<string, unknown>>;
    expect(models.map((m) => m.name)).toEqual(['ae', 'broken', 'fault', 'rackae', 'tfae', 'tp', 'ttf']);
    const one = await app.inject({ method: 'GET', url: '/v1/models/ae', headers: KEYS.reader });
    expect(one.json()).toMatchObject({
      activeVersion: 'v2',
      inputFields: FIELDS,
      inputDims: [T, F],
      versions: [
        { version: 'v2', active: true, loaded: true, metrics: { f1: 0.9 } },
        { version: 'v1', active: false, metrics: { f1: 0.8 } },
      ],
    });
    expect(typeof one.json().executionProvider).toBe('string');
    expect(models.find((m) => m.name === 'fault')?.horizonMinutes).toBe(5);
    expect(models.find((m) => m.name === 'tp')?.inputFields).toEqual(['n_gpus', 'batch_size', 'gpu_model']);
    const missing = await app.inject({ method: 'GET', url: '/v1/models/nope', headers: KEYS.reader });
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, 'MODEL_NOT_FOUND']);
  });
});

describe('POST /v1/score/anomaly', () => {
  it('scores inline windows: score, threshold, verdict, top features, model and version', async () => {
    const res = await post('/v1/score/anomaly', { windows: [rawWindow(), rawWindow(T + 2, 5)], version: 'v1' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ model: 'ae', version: 'v1', windowLength: T, threshold: SCORE * 2 });
    expect(body.results).toHaveLength(2);
    for (const r of body.results) {
      expect(r.score).toBeCloseTo(SCORE, 6);
      expect(r.anomalous).toBe(false);
      expect(r.topFeatures.map((f: { feature: string }) => f.feature)).toEqual([
        'power_w',
        'delta:ecc_sbe_volatile',
        'gpu_temp_c',
      ]);
      expect(r.topFeatures[0].share).toBeCloseTo(0.09 / 0.14, 5);
    }
    const active = await post('/v1/score/anomaly', { windows: [rawWindow()], topK: 1 });
    expect(active.json().version).toBe('v2');
    expect(active.json().results[0]).toMatchObject({ anomalous: true, topFeatures: [{ feature: 'power_w' }] });
    expect(active.json().results[0].score).toBeCloseTo(SCORE * 4, 6);
  });

  it('serves a TensorFlow.js model exported to ONNX with the scores tfjs itself gives', async () => {
    const windows = [rawWindow(), rawWindow(T + 1, 3)];
    const res = await post('/v1/score/anomaly', { model: 'tfae', windows });
    expect(res.statusCode, res.body).toBe(200);
    const series = seriesFromWindows(windows, FIELDS, lstmMeta);
    const inputs = series.map((s) => latestWindow(s, lstmMeta).data);
    const x = new Float32Array(inputs.length * T * F);
    for (const [i, d] of inputs.entries()) x.set(d, i * T * F);
    const y = tf.tidy(() => (lstm.predict(tf.tensor3d(x, [inputs.length, T, F])) as tf.Tensor).dataSync());
    const expected = reconstructionScores(x, y, inputs.length, T, F).scores;
    const got = res.json().results.map((r: { score: number }) => r.score);
    expect(got).toHaveLength(2);
    for (const [i, g] of (got as number[]).entries()) expect(g).toBeCloseTo(expected[i], 5);
  });

  it('refuses bad input with a 4xx naming the problem', async () => {
    const short = await post('/v1/score/anomaly', { windows: [rawWindow(T - 2)] });
    expect([short.statusCode, short.json().error.code]).toEqual([400, 'INVALID_WINDOW']);
    expect(short.json().error.message).toContain(`[${T}, ${F}]`);
    expect(short.json().error.details).toMatchObject({ expected: [T, F], got: [T - 2, F] });

    const narrow = await post('/v1/score/anomaly', { windows: [rawWindow().map((r) => r.slice(0, 2))] });
    expect([narrow.statusCode, narrow.json().error.code]).toEqual([400, 'INVALID_WINDOW']);

    const withNull = rawWindow() as unknown[][];
    withNull[2][1] = null;
    const nul = await post('/v1/score/anomaly', { windows: [withNull] });
    expect([nul.statusCode, nul.json().error.message]).toEqual([400, expect.stringContaining('windows.0.2.1')]);
    withNull[2][1] = 'NaN';
    expect((await post('/v1/score/anomaly', { windows: [withNull] })).statusCode).toBe(400);

    // JSON cannot say Infinity, but 1e999 parses to it; the schema refuses it like any non-number.
    const inf = await app.inject({
      method: 'POST',
      url: '/v1/score/anomaly',
      headers: { ...KEYS.reader, 'content-type': 'application/json' },
      payload: JSON.stringify({ windows: [rawWindow()] }).replace('[60,300,0]', '[60,1e999,0]'),
    });
    expect([inf.statusCode, inf.json().error.message]).toEqual([400, expect.stringContaining('windows.0.0.1')]);

    // 1e308 is a finite JSON number, but scaled into the float32 model input it overflows: the score is not a
    // number. A 422 names the window and the input instead of a broken 200 (or a 500 from the response schema).
    const huge = rawWindow().map((r) => [r[0], 1e308, r[2]]);
    const overflow = await post('/v1/score/anomaly', { windows: [rawWindow(), huge] });
    expect([overflow.statusCode, overflow.json().error.code], overflow.body).toEqual([422, 'SCORE_NOT_FINITE']);
    expect(overflow.json().error.details).toEqual({ windows: [{ index: 1, features: ['power_w'] }] });
    expect(overflow.json().error.message).toContain('power_w');
    const overflowFault = await post('/v1/predict/fault', { windows: [huge], ttf: false });
    expect([overflowFault.statusCode, overflowFault.json().error.code]).toEqual([422, 'SCORE_NOT_FINITE']);

    const empty = await post('/v1/score/anomaly', { windows: [] });
    expect([empty.statusCode, empty.json().error.code]).toEqual([400, 'EMPTY_BATCH']);
    const model = await post('/v1/score/anomaly', { model: 'nope', windows: [rawWindow()] });
    expect([model.statusCode, model.json().error.code]).toEqual([404, 'MODEL_NOT_FOUND']);
    const version = await post('/v1/score/anomaly', { version: 'v7', windows: [rawWindow()] });
    expect([version.statusCode, version.json().error.code]).toEqual([404, 'MODEL_NOT_FOUND']);
    const family = await post('/v1/score/anomaly', { model: 'fault', windows: [rawWindow()] });
    expect([family.statusCode, family.json().error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const both = await post('/v1/score/anomaly', { windows: [rawWindow()], devices: ['n/0'], from: 0, to: 1 });
    expect([both.statusCode, both.json().error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const unknown = await post('/v1/score/anomaly', { devices: [`${uniqueTag('nx')}/0`], from: 0, to: 3_600_000 });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'UNKNOWN_DEVICE']);
    const anon = await app.inject({ method: 'POST', url: '/v1/score/anomaly', payload: { windows: [rawWindow()] } });
    expect(anon.statusCode).toBe(401);
  });

  it('a failure inside ONNX Runtime is a 500 INFERENCE_FAILED without internals', async () => {
    const res = await post('/v1/score/anomaly', { model: 'broken', windows: [rawWindow(), rawWindow()] });
    expect([res.statusCode, res.json().error.code]).toEqual([500, 'INFERENCE_FAILED']);
    expect(res.body).not.toMatch(/onnxruntime|\.cc:|at .*\(/);
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(
      /fleetsense_inference_errors_total\{model="broken",version="v1",code="INFERENCE_FAILED"\} 1/,
    );
  });

  it('scores devices over a range read from QuestDB', async () => {
    const node = uniqueTag('score');
    const start = Date.UTC(2026, 0, 7, 12);
    const rows = Array.from({ length: 20 }, (_, i) => ({
      ts: start + i * 10_000,
      symbols: { cluster: 'itest', rack: 'r1', node, gpu: '0', gpu_model: 'H100' },
      values: { gpu_temp_c: 60 + i, power_w: 300, ecc_sbe_volatile: i },
    }));
    await app.writer.write('gpu_metrics', rows);
    await app.writer.flush();
    const device = `${node}/0`;
    const range = { devices: [device], from: start, to: start + 20 * 10_000 };
    const res = await waitFor(
      () => post('/v1/score/anomaly', range),
      (r) => r.statusCode === 200 && r.json().results.length === 20 - T + 1,
    );
    const last = res.json().results.at(-1);
    expect(last).toMatchObject({ device, endTs: new Date(start + 19 * 10_000).toISOString(), anomalous: true });
    const latest = await post('/v1/score/anomaly', { ...range, latest: true });
    expect(latest.json().results).toHaveLength(1);
    const fault = await post('/v1/predict/fault', range);
    expect(fault.json().predictions).toMatchObject([{ device, faultProbability: expect.any(Number), ttfMinutes: 30 }]);
  });

  it('names an input that was never reported instead of scoring NaN (a rack without facility rows)', async () => {
    const node = uniqueTag('norack');
    const start = Date.UTC(2026, 0, 8, 12);
    const rows = Array.from({ length: 10 }, (_, i) => ({
      ts: start + i * 10_000,
      symbols: { cluster: 'itest', rack: uniqueTag('rack'), node, gpu: '0', gpu_model: 'H100' },
      values: { gpu_temp_c: 60 + i },
    }));
    await app.writer.write('gpu_metrics', rows);
    await app.writer.flush();
    const body = { model: 'rackae', devices: [`${node}/0`], from: start, to: start + 10 * 10_000 };
    const res = await waitFor(
      () => post('/v1/score/anomaly', body),
      (r) => r.json().error?.code === 'NO_DATA' && /rack:inlet_temp_c/.test(r.json().error.message),
    );
    expect(res.statusCode).toBe(404);
    expect(res.json().error.details).toEqual({ device: `${node}/0`, fields: ['rack:inlet_temp_c'] });
  });
});

describe('POST /v1/predict/*', () => {
  it('fault probability within the horizon, with time to failure from the ttf model', async () => {
    const res = await post('/v1/predict/fault', { windows: [rawWindow(), rawWindow()] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      model: 'fault',
      version: 'v1',
      horizonMinutes: 5,
      ttfModel: { model: 'ttf', capMinutes: 60 },
    });
    for (const p of res.json().predictions) {
      expect(p.faultProbability).toBeCloseTo(1 / (1 + Math.exp(-1)), 5);
      expect([p.ttfMinutes, p.ttfBeyondCap]).toEqual([30, false]);
    }
    const noTtf = await post('/v1/predict/fault', { windows: [rawWindow()], ttf: false });
    expect(noTtf.json()).toMatchObject({ ttfModel: null, predictions: [{ ttfMinutes: null }] });
  });

  it('throughput for a batch of what-if configurations', async () => {
    const configurations = [
      { symbols: { gpu_model: 'H100' }, values: { n_gpus: 8, batch_size: 512 } },
      { symbols: { gpu_model: 'A100' }, values: { n_gpus: 16, batch_size: 512 } },
    ];
    const res = await post('/v1/predict/throughput', { configurations });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().predictions.map((p: { throughput: number }) => p.throughput)).toEqual([
      (8 + 0.5) * 100 + 1000,
      16 * 100 + 1000,
    ]);
    const missing = await post('/v1/predict/throughput', { configurations: [{ values: { n_gpus: 8 } }] });
    expect([missing.statusCode, missing.json().error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const empty = await post('/v1/predict/throughput', { configurations: [] });
    expect([empty.statusCode, empty.json().error.code]).toEqual([400, 'EMPTY_BATCH']);
  });
});

describe('POST /v1/models/:name/promote', () => {
  it('needs admin, switches the served version, persists it and updates the metrics', async () => {
    const denied = await post('/v1/models/ae/promote', { version: 'v1' }, KEYS.operator);
    expect(denied.statusCode).toBe(403);
    const res = await post('/v1/models/ae/promote', { version: 'v1' }, KEYS.admin);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ previousVersion: 'v2', model: { activeVersion: 'v1' } });
    expect((await post('/v1/score/anomaly', { windows: [rawWindow()] })).json().version).toBe('v1');
    const bad = await post('/v1/models/ae/promote', { version: 'v9' }, KEYS.admin);
    expect([bad.statusCode, bad.json().error.code]).toEqual([404, 'MODEL_NOT_FOUND']);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/fleetsense_model_active_version\{model="ae",version="v1",ep="\w+"\} 1/);
    expect(metrics).not.toMatch(/fleetsense_model_active_version\{model="ae",version="v2"/);
    expect(metrics).toMatch(/fleetsense_inference_seconds_count\{model="ae"/);
    expect(metrics).toMatch(/fleetsense_inference_batch_rows_bucket/);
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.json().checks.inference).toMatchObject({ status: 'up', details: { workers: 2 } });
  });
});
