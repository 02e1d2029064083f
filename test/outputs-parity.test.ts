/**
 * One verdict path: the same telemetry in QuestDB goes through the scoring API (POST /v1/score/anomaly,
 * POST /v1/predict/fault) and through the batch forecast (runShard → anomaly_scores, fault_predictions); both must
 * report identical scores, verdicts, probabilities, alarms and times to failure, because both call
 * src/inference/model-outputs.ts. The models are tiny exact graphs whose scores straddle their thresholds, so a
 * caller that compared with another operator or skipped the ttf clamp would disagree.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runShard } from '../src/forecast/shard.js';
import { InferenceService } from '../src/inference/inference-service.js';
import { linearHeads, offsetAutoencoder, testMetadata, writeModelDir } from '../src/inference/testing/graph-models.js';
import type { TelemetryRow } from '../src/telemetry/catalogue.js';
import { bootApp, KEYS, testConfig, uniqueTag } from './helpers.js';
import { type QueueHarness, queueHarness, silentLog, walApplied } from './queue-fixtures.js';

const T = 6;
const PERIOD = 10_000;
const FEATURES = ['gpu_temp_c', 'power_w'];
const cluster = uniqueTag('par');
const slot = Date.UTC(2041, 0, 1) + Math.floor(Math.random() * 1e6) * 60_000;
// Three GPUs with different temperatures: the fault head is linear in the last temperature, so their
// probabilities fall on both sides of the threshold.
const devices = [0, 1, 2].map((g) => `${cluster}-n0/${g}`);
let h: QueueHarness;
let app: FastifyInstance;
let inference: InferenceService;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'fs-parity-'));
  const scaler = { kind: 'standard' as const, mean: [60, 400], scale: [10, 100] };
  // Anomaly: the reconstruction misses power by 0.3 (scaled): score = 0.09 / 2 = 0.045 on every window.
  await writeModelDir(
    dir,
    testMetadata('par-ae', 'v1', 'anomaly', {
      features: FEATURES,
      scaler,
      windowLength: T,
      outputs: ['reconstruction'],
      threshold: { value: 0.04, method: 'fixed', params: {} },
    }),
    offsetAutoencoder(T, FEATURES.length, [0, 0.3]),
  );
  const lastTemp = new Array(T * FEATURES.length).fill(0);
  lastTemp[(T - 1) * FEATURES.length] = 1;
  await writeModelDir(
    dir,
    testMetadata('par-fault', 'v1', 'fault', {
      features: FEATURES,
      scaler,
      windowLength: T,
      outputs: ['fault_probability'],
      horizonSteps: 180,
      threshold: { value: 0.6, method: 'fixed', params: {} },
    }),
    linearHeads(
      [T, FEATURES.length],
      [{ name: 'fault_probability', weights: lastTemp, bias: 0, activation: 'sigmoid' }],
    ),
  );
  // TTF: 0.8 + scaled temperature; above 1 for the hottest GPU, so the clamp to the cap matters.
  await writeModelDir(
    dir,
    testMetadata('par-ttf', 'v1', 'ttf', {
      features: FEATURES,
      scaler,
      windowLength: T,
      outputs: ['ttf_fraction'],
      ttfCapSteps: 360,
    }),
    linearHeads([T, FEATURES.length], [{ name: 'ttf_fraction', weights: lastTemp, bias: 0.8, activation: 'none' }]),
  );
  h = await queueHarness();
  const rows: TelemetryRow[] = [];
  for (let k = 20; k >= 1; k--) {
    devices.forEach((d, g) => {
      const [node, gpu] = d.split('/');
      rows.push({
        ts: slot - k * PERIOD,
        symbols: { cluster, rack: `${cluster}-r0`, node, gpu, gpu_model: 'H100' },
        values: { gpu_temp_c: 55 + 5 * g + (k % 3), power_w: 400 + 10 * g, gpu_util: 90 },
      });
    });
  }
  await h.writer.write('gpu_metrics', rows);
  await h.writer.flush();
  await walApplied(h.reader, 'gpu_metrics');
  app = await bootApp({ MODELS_DIR: dir });
  inference = await InferenceService.open(testConfig({ MODELS_DIR: dir }), silentLog);
});

afterAll(async () => {
  await app?.close();
  await inference?.close();
  await h?.close();
  await rm(dir, { recursive: true, force: true });
});

const post = (url: string, payload: Record<string, unknown>) =>
  app.inject({ method: 'POST', url, headers: KEYS.reader, payload });

describe('API and batch forecast report the same outputs', () => {
  it('identical anomaly scores and verdicts, fault probabilities and alarms, clamped times to failure', async () => {
    const range = { devices, from: slot - 20 * PERIOD, to: slot };
    const [scored, predicted] = await Promise.all([
      post('/v1/score/anomaly', { ...range, model: 'par-ae', latest: true }),
      post('/v1/predict/fault', { ...range, model: 'par-fault' }),
    ]);
    expect(scored.statusCode, scored.body).toBe(200);
    expect(predicted.statusCode, predicted.body).toBe(200);

    const shard = await runShard({ ...h.forecastDeps(), inference }, { cluster, slot, recommend: false });
    expect(shard.scored).toMatchObject({ 'par-ae': 3, 'par-fault': 3, 'par-ttf': 3 });
    await walApplied(h.reader, 'anomaly_scores');
    await walApplied(h.reader, 'fault_predictions');
    const batchScores = await h.reader.query<{ device: string; score: number; anomalous: string }>(
      'SELECT device, score, anomalous FROM anomaly_scores WHERE cluster = $1 ORDER BY device',
      [cluster],
    );
    const batchFaults = await h.reader.query<{
      device: string;
      probability: number;
      threshold: number;
      alarm: string;
      ttf_ms: number;
    }>(
      'SELECT device, probability, threshold, alarm, ttf_ms FROM fault_predictions WHERE cluster = $1 ORDER BY device',
      [cluster],
    );

    const api = scored.json().results as { device: string; score: number; anomalous: boolean }[];
    expect(api.map((r) => r.device)).toEqual(devices);
    expect(batchScores.map((r) => r.device)).toEqual(devices);
    expect(batchScores.map((r) => r.score)).toEqual(api.map((r) => r.score));
    expect(batchScores.map((r) => Number(r.anomalous) === 1)).toEqual(api.map((r) => r.anomalous));
    expect(api.every((r) => r.anomalous === true)).toBe(true);

    const faults = predicted.json();
    const preds = faults.predictions as {
      device: string;
      faultProbability: number;
      alarm: boolean;
      ttfMinutes: number;
    }[];
    expect(faults.alarmThreshold).toEqual({
      value: 0.6,
      source: 'model par-fault@v1 (model.json threshold, fixed, on raw scores)',
    });
    expect(batchFaults.map((r) => r.device)).toEqual(devices);
    expect(batchFaults.map((r) => r.probability)).toEqual(preds.map((p) => p.faultProbability));
    expect(batchFaults.map((r) => Number(r.alarm) === 1)).toEqual(preds.map((p) => p.alarm));
    expect(batchFaults.every((r) => r.threshold === 0.6)).toBe(true);
    expect(new Set(preds.map((p) => p.alarm))).toEqual(new Set([true, false]));
    for (const [i, p] of preds.entries()) expect(batchFaults[i].ttf_ms).toBeCloseTo(p.ttfMinutes * 60_000, 3);
    // The hottest GPU's raw fraction is above 1: both report the cap, 60 min, not more.
    expect(Math.max(...preds.map((p) => p.ttfMinutes))).toBe(60);
    expect(Math.max(...batchFaults.map((r) => r.ttf_ms))).toBe(3_600_000);
  });

  it('a device whose window overflows: 422 naming it in the API, left unscored and counted in the forecast', async () => {
    const tag = uniqueTag('ovf');
    const hot = [`${tag}-n0/0`, `${tag}-n0/1`];
    const rows: TelemetryRow[] = [];
    for (let k = 20; k >= 1; k--) {
      hot.forEach((d, g) => {
        const [node, gpu] = d.split('/');
        rows.push({
          ts: slot - k * PERIOD,
          symbols: { cluster: tag, rack: `${tag}-r0`, node, gpu, gpu_model: 'H100' },
          // 1e308 W is a finite double (QuestDB stores it) but overflows the scaled float32 model input.
          values: { gpu_temp_c: 60, power_w: g === 1 ? 1e308 : 400, gpu_util: 90 },
        });
      });
    }
    await h.writer.write('gpu_metrics', rows);
    await h.writer.flush();
    await walApplied(h.reader, 'gpu_metrics');
    const api = await post('/v1/score/anomaly', {
      devices: hot,
      from: slot - 20 * PERIOD,
      to: slot,
      model: 'par-ae',
      latest: true,
    });
    expect([api.statusCode, api.json().error.code]).toEqual([422, 'SCORE_NOT_FINITE']);
    expect(api.json().error.details).toEqual({ windows: [{ index: 1, features: ['power_w'] }] });
    const shard = await runShard({ ...h.forecastDeps(), inference }, { cluster: tag, slot, recommend: false });
    expect(shard.scored['par-ae']).toBe(1);
    expect(shard.unscorable['par-ae']).toEqual({ devices: 1, fields: ['power_w'] });
  });
});
