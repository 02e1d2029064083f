/**
 * A model whose model.json records sliding-window detection (what training writes for a CSV source) gets the same
 * verdicts from `npm run score` on a CSV, the scoring API over QuestDB, and the batch forecast: the API and the
 * forecast run the detector over the same rows' scores (src/inference/model-outputs.ts `seriesVerdicts`). The
 * model's stored threshold is set above every score, so a caller that applied it instead would report no alarm.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runShard } from '../src/forecast/shard.js';
import type { SlidingDetection } from '../src/inference/detection/find-anomalies.js';
import { InferenceService } from '../src/inference/inference-service.js';
import { scaleAutoencoder, testMetadata, writeModelDir } from '../src/inference/testing/graph-models.js';
import type { TelemetryRow } from '../src/telemetry/catalogue.js';
import { scoreCsv } from '../training/evaluate/score-csv.js';
import { bootApp, KEYS, testConfig, uniqueTag } from './helpers.js';
import { type QueueHarness, queueHarness, silentLog, walApplied } from './queue-fixtures.js';

const T = 6;
const PERIOD = 10_000;
const HISTORY = 40;
const ROWS = T + HISTORY; // what the forecast reads: one window plus the history the detector needs
const FEATURES = ['gpu_temp_c', 'power_w'];
const cluster = uniqueTag('det');
const slot = Date.UTC(2043, 0, 1) + Math.floor(Math.random() * 1e6) * 60_000;
// GPU 0 runs hot in its last three samples; GPU 1 never does.
const devices = [0, 1].map((g) => `${cluster}-n0/${g}`);
const temp = (g: number, k: number) => (g === 0 && k <= 3 ? 90 : 60 + (k % 3));
const detection: SlidingDetection = {
  method: 'sliding-window',
  smoothingFraction: 0,
  smoothingMaxSpan: 0,
  windowFraction: 1,
  stepFraction: 1,
  threshold: 'sigma',
  k: 2,
  padding: 0,
  pruneMinPercent: 0,
  mergeGap: 0,
  historyRows: HISTORY,
  errors: 'point',
};
let h: QueueHarness;
let app: FastifyInstance;
let inference: InferenceService;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'fs-detect-'));
  const meta = testMetadata('det-ae', 'v1', 'anomaly', {
    features: FEATURES,
    scaler: { kind: 'standard', mean: [60, 400], scale: [10, 100] },
    windowLength: T,
    outputs: ['reconstruction'],
    // Above every score here: only the detector can raise an alarm.
    threshold: { value: 100, method: 'fixed', params: {} },
  });
  await writeModelDir(dir, { ...meta, detection } as typeof meta, scaleAutoencoder(T, FEATURES.length, 0));
  h = await queueHarness();
  const rows: TelemetryRow[] = [];
  for (let k = ROWS; k >= 1; k--) {
    devices.forEach((d, g) => {
      const [node, gpu] = d.split('/');
      rows.push({
        ts: slot - k * PERIOD,
        symbols: { cluster, rack: `${cluster}-r0`, node, gpu, gpu_model: 'H100' },
        values: { gpu_temp_c: temp(g, k), power_w: 400, gpu_util: 90 },
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

const post = (payload: Record<string, unknown>) =>
  app.inject({ method: 'POST', url: '/v1/score/anomaly', headers: KEYS.reader, payload });

/** `npm run score`'s alarm column for one GPU's rows written as a CSV. */
async function csvAlarms(g: number): Promise<Map<number, number>> {
  const csv = path.join(dir, `gpu${g}.csv`);
  const lines = ['timestamp,gpu_temp_c,power_w'];
  for (let k = ROWS; k >= 1; k--) lines.push(`${new Date(slot - k * PERIOD).toISOString()},${temp(g, k)},400`);
  await writeFile(csv, `${lines.join('\n')}\n`);
  await scoreCsv({ modelDir: path.join(dir, 'det-ae', 'v1'), csv, outDir: path.join(dir, `out${g}`), runtime: 'onnx' });
  const rows = (await readFile(path.join(dir, `out${g}`, 'scores.csv'), 'utf8')).trim().split('\n').slice(1);
  return new Map(
    rows
      .map((r) => r.split(','))
      .filter((c) => c[3] !== '')
      .map((c) => [Number(c[2]), Number(c[4])]),
  );
}

describe('recorded detection: score, the scoring API and the batch forecast agree', () => {
  it('every window of a range gets the alarm `npm run score` gives its row', async () => {
    const res = await post({ devices, from: slot - ROWS * PERIOD, to: slot, model: 'det-ae' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as {
      rule: string;
      results: { device: string; endTs: string; score: number; anomalous: boolean }[];
    };
    expect(body.rule).toBe('sliding-window');
    for (const [g, device] of devices.entries()) {
      const mine = body.results.filter((r) => r.device === device);
      expect(mine).toHaveLength(ROWS - T + 1);
      const alarms = await csvAlarms(g);
      expect(mine.map((r) => (r.anomalous ? 1 : 0))).toEqual(mine.map((r) => alarms.get(Date.parse(r.endTs))));
    }
    const hot = body.results.filter((r) => r.device === devices[0] && r.anomalous);
    expect(hot.length).toBeGreaterThan(0);
    expect(hot.every((r) => r.score < 100)).toBe(true); // below the stored threshold: the detector's verdict
    expect(body.results.some((r) => r.device === devices[1] && r.anomalous)).toBe(false);
  });

  it('the latest verdict is the same from the API (latest: true) and the batch forecast', async () => {
    const res = await post({ devices, from: slot - ROWS * PERIOD, to: slot, model: 'det-ae', latest: true });
    expect(res.statusCode, res.body).toBe(200);
    const api = res.json().results as { device: string; score: number; anomalous: boolean }[];
    expect(api.map((r) => [r.device, r.anomalous])).toEqual([
      [devices[0], true],
      [devices[1], false],
    ]);
    const shard = await runShard({ ...h.forecastDeps(), inference }, { cluster, slot, recommend: false });
    expect(shard.scored).toMatchObject({ 'det-ae': 2 });
    await walApplied(h.reader, 'anomaly_scores');
    const batch = await h.reader.query<{ device: string; score: number; anomalous: string }>(
      'SELECT device, score, anomalous FROM anomaly_scores WHERE cluster = $1 ORDER BY device',
      [cluster],
    );
    expect(batch.map((r) => r.device)).toEqual(devices);
    expect(batch.map((r) => r.score)).toEqual(api.map((r) => r.score));
    expect(batch.map((r) => Number(r.anomalous) === 1)).toEqual(api.map((r) => r.anomalous));
  });
});
