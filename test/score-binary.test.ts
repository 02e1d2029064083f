/**
 * The binary request format of the scoring routes (raw little-endian float32, shape in `x-window-shape`): the real
 * app over real ONNX Runtime sessions gives the same answers as for the same windows in JSON, and refuses a body
 * that does not match its shape or the model with a 4xx naming the problem.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linearHeads, offsetAutoencoder, testMetadata, writeModelDir } from '../src/inference/testing/graph-models.js';
import { bootApp, KEYS } from './helpers.js';

const T = 6;
const FEATURES = ['gpu_temp_c', 'power_w', 'delta:ecc_sbe_volatile'];
const F = FEATURES.length;
const scaler = { kind: 'standard' as const, mean: [60, 300, 0], scale: [10, 50, 1] };

let app: FastifyInstance;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fleetsense-binary-models-'));
  const common = { features: FEATURES, scaler, windowLength: T };
  await writeModelDir(
    dir,
    testMetadata('ae', 'v1', 'anomaly', {
      ...common,
      outputs: ['reconstruction'],
      threshold: { value: 0.05, method: 'fixed', params: {} },
    }),
    offsetAutoencoder(T, F, [0.1, 0.3, 0.2]),
  );
  // A fault head that reads the inputs, so a wrong row or field order changes its answer.
  const weights = Array.from({ length: T * F }, (_, i) => ((i % 7) - 3) / 10);
  await writeModelDir(
    dir,
    testMetadata('fault', 'v1', 'fault', { ...common, outputs: ['fault_probability'], horizonSteps: 30 }),
    linearHeads([T, F], [{ name: 'fault_probability', weights, bias: 0, activation: 'sigmoid' }]),
  );
  app = await bootApp({ MODELS_DIR: dir });
});

afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Raw windows of [temperature, power, ecc counter], different per window. */
const windows = (n: number, rows = T) =>
  Array.from({ length: n }, (_, w) =>
    Array.from({ length: rows }, (_, t) => [60 + w + t * 0.5, 300 + 7 * w - t, t + w]),
  );

const packed = (ws: number[][][]) => Buffer.from(new Float32Array(ws.flat(2)).buffer);

const postBinary = (url: string, body: Buffer, headers: Record<string, string>) =>
  app.inject({
    method: 'POST',
    url,
    headers: { ...KEYS.reader, 'content-type': 'application/octet-stream', ...headers },
    payload: body,
  });

describe('binary windows (application/octet-stream)', () => {
  it('scores anomalies and faults as the same windows in JSON do', async () => {
    const ws = windows(5, T + 1);
    const shape = { 'x-window-shape': `5,${T + 1},${F}` };
    for (const [url, extra] of [
      ['/v1/score/anomaly', { topK: 2 }],
      ['/v1/predict/fault', {}],
    ] as const) {
      const json = await app.inject({ method: 'POST', url, headers: KEYS.reader, payload: { windows: ws, ...extra } });
      expect(json.statusCode, json.body).toBe(200);
      const bin = await postBinary(url, packed(ws), { ...shape, ...('topK' in extra ? { 'x-top-k': '2' } : {}) });
      expect(bin.statusCode, bin.body).toBe(200);
      // float32 on the wire: the same as JSON up to float32 rounding of the raw values.
      const got = bin.json();
      const want = json.json();
      const list = url.includes('anomaly') ? 'results' : 'predictions';
      expect(got[list]).toHaveLength(5);
      for (const [i, r] of got[list].entries()) {
        const key = url.includes('anomaly') ? 'score' : 'faultProbability';
        expect(r[key]).toBeCloseTo(want[list][i][key], 5);
        expect(r.index).toBe(i);
        if (url.includes('anomaly')) expect(r.topFeatures).toHaveLength(2);
      }
      // The windows differ, so the answers do: a mixed-up order would show.
      expect(new Set(got[list].map((r: Record<string, number>) => r.score ?? r.faultProbability)).size).toBe(5);
    }
  });

  it('takes the model, version and column order from headers', async () => {
    const ws = windows(2);
    const reordered = ws.map((w) => w.map(([temp, power, ecc]) => [ecc, temp, power]));
    const base = await postBinary('/v1/predict/fault', packed(ws), { 'x-window-shape': `2,${T},${F}` });
    const res = await postBinary('/v1/predict/fault', packed(reordered), {
      'x-window-shape': `2,${T},${F}`,
      'x-window-fields': 'ecc_sbe_volatile,gpu_temp_c,power_w',
      'x-model': 'fault',
      'x-model-version': 'v1',
      'x-ttf': 'false',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ model: 'fault', version: 'v1' });
    for (const i of [0, 1])
      expect(res.json().predictions[i].faultProbability).toBeCloseTo(base.json().predictions[i].faultProbability, 6);
    const unknown = await postBinary('/v1/score/anomaly', packed(ws), {
      'x-window-shape': `2,${T},${F}`,
      'x-model-version': 'v9',
    });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'MODEL_NOT_FOUND']);
  });

  it('refuses a body that does not match its shape, the model, or finite numbers, naming the problem', async () => {
    const ws = windows(2);
    const cases: Array<[Buffer, Record<string, string>, number, string, RegExp]> = [
      [packed(ws), {}, 400, 'VALIDATION_FAILED', /x-window-shape is required/],
      [packed(ws), { 'x-window-shape': '2x6x3' }, 400, 'VALIDATION_FAILED', /N,T,F/],
      [packed(ws), { 'x-window-shape': `3,${T},${F}` }, 400, 'INVALID_WINDOW', /36 float32 values.*needs 54/],
      [packed(ws).subarray(0, 7), { 'x-window-shape': `2,${T},${F}` }, 400, 'INVALID_WINDOW', /7 bytes/],
      [packed(ws.map((w) => w.slice(2))), { 'x-window-shape': `2,${T - 2},${F}` }, 400, 'INVALID_WINDOW', /\[6, 3\]/],
      [
        packed(ws.map((w) => w.map((r) => r.slice(0, 2)))),
        { 'x-window-shape': `2,${T},2` },
        400,
        'INVALID_WINDOW',
        /expects \[6, 3\]/,
      ],
      [packed(ws), { 'x-window-shape': `0,${T},${F}` }, 400, 'EMPTY_BATCH', /no window/],
      [packed(ws), { 'x-window-shape': `2,${T},${F}`, 'x-top-k': '99' }, 400, 'VALIDATION_FAILED', /x-top-k/],
      [
        packed(ws),
        { 'x-window-shape': `2,${T},${F}`, 'x-window-fields': 'gpu_temp_c' },
        400,
        'VALIDATION_FAILED',
        /fields must list/,
      ],
    ];
    for (const [body, headers, status, code, message] of cases) {
      const res = await postBinary('/v1/score/anomaly', body, headers);
      expect([res.statusCode, res.json().error?.code], JSON.stringify(headers)).toEqual([status, code]);
      expect(res.json().error.message).toMatch(message);
    }
    const nan = ws.map((w) => w.map((r) => [...r]));
    nan[1][4][1] = Number.NaN;
    const res = await postBinary('/v1/score/anomaly', packed(nan), { 'x-window-shape': `2,${T},${F}` });
    expect([res.statusCode, res.json().error.code]).toEqual([400, 'INVALID_WINDOW']);
    expect(res.json().error.details).toEqual({ window: 1, row: 4, field: 'power_w' });
  });

  it('refuses a request without a body on both routes with 400, not a server error', async () => {
    for (const url of ['/v1/score/anomaly', '/v1/predict/fault']) {
      const res = await app.inject({ method: 'POST', url, headers: { ...KEYS.reader, 'x-window-shape': '' } });
      expect([res.statusCode, res.json().error?.code], url).toEqual([400, 'VALIDATION_FAILED']);
      expect(res.json().error.message).toMatch(/request body is required/);
    }
  });

  it('is in the OpenAPI document: both media types and the shape header', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    for (const route of ['/v1/score/anomaly', '/v1/predict/fault']) {
      const op = spec.paths[route].post;
      expect(Object.keys(op.requestBody.content).sort()).toEqual(['application/json', 'application/octet-stream']);
      expect(op.requestBody.content['application/octet-stream'].schema).toMatchObject({ format: 'binary' });
      expect(op.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toContain(
        'header:x-window-shape',
      );
    }
  });
});
