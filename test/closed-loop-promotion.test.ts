/**
 * The closed loop, on the real app, QuestDB, Redis, TensorFlow.js (training CLI, 1 epoch) and ONNX Runtime
 * (forecasts, evaluations): promotion needs labelled evidence, and a candidate without it runs in shadow.
 *
 * The champion v1 never alarms (its threshold is out of reach): on a holdout without labels it looks perfect, the
 * case the old rule promoted. The story, in simulated time T (hours from a private day in the 2070s):
 *   T0-T12   healthy fleet. An operator labels a fault and marks a recommendation false_alarm. Retrain #1: the
 *            holdout T8-T12 holds too few labelled events: shadow, not promoted; the candidate C1 is the shadow.
 *   T12-T18  healthy fleet; batch forecasts every 15 min score C1 beside v1 into shadow_scores (nothing else: the
 *            scores the policy reads are v1's). Operators then label 5 faults on two GPUs.
 *   T18-T24  a fleet with simulated faults (their labels arrive from the simulator's ground truth), and 4
 *            degradations operators caught before they failed (labels without failure time).
 *   Retrain #2: the shadow comparison has its 5 labels: C1 catches them but also alarms on GPUs that had no fault,
 *            false alarms v1 never raises: the worse on false alarms per device-day, kept out, its shadow ended.
 *            Then C2 is trained and judged on the holdout T20-T24, rich in labels: it catches faults v1 never
 *            alarms on: promoted. (The 1-epoch candidates alarm often; the rule, not their quality, is tested.)
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfill } from '../datasets/simulator/sinks.js';
import { type Composition, openComposition } from '../src/composition.js';
import { activeClusters } from '../src/forecast/evidence.js';
import { runShard } from '../src/forecast/shard.js';
import { InferenceService } from '../src/inference/inference-service.js';
import { ModelStore } from '../src/inference/model-store.js';
import { enqueueRetrain } from '../src/queue/retrain.js';
import { type RetrainResult, startRetrainRole } from '../src/queue/retrain-worker.js';
import { bootApp, KEYS, testConfig, uniqueTag, waitFor } from './helpers.js';
import { fakeAction, type QueueHarness, queueHarness, silentLog, walApplied } from './queue-fixtures.js';

const HOUR = 3_600_000;
// A model name of this run's own: model_comparisons keeps every run's decisions.
const MODEL = uniqueTag('anomaly-loop');
const T = (h: number) => t0 + h * HOUR;
const t0 = Date.UTC(2071, 0, 1) + Math.floor(Math.random() * 3_000) * 24 * HOUR;
const sim = { seed: 11, gpus: 8 };
let dir: string;
let h: QueueHarness;
let app: FastifyInstance;
let composition: Composition;
let role: Awaited<ReturnType<typeof startRetrainRole>>;
let store: ModelStore;

interface Comparison {
  candidate_version: string;
  promoted: string;
  detail: string;
}
const comparisons = async () => {
  await walApplied(h.reader, 'model_comparisons');
  return h.reader.query<Comparison>(
    'SELECT candidate_version, promoted, detail FROM model_comparisons WHERE model = $1 AND ts >= $2 ORDER BY ts',
    [MODEL, new Date(Date.now() - 24 * HOUR).toISOString()],
  );
};

async function retrain(from: number, to: number): Promise<RetrainResult> {
  const { jobId } = await enqueueRetrain(h.queues, { model: MODEL, trigger: 'api', requestedBy: 'test', from, to });
  const job = await waitFor(
    () => h.queues.retrain.getJob(jobId),
    (j) => j?.finishedOn !== undefined,
    { timeoutMs: 600_000, intervalMs: 500 },
  );
  expect(job?.failedReason).toBeUndefined();
  return job?.returnvalue as RetrainResult;
}

const labels = (rows: Record<string, unknown>[]) =>
  app.inject({ method: 'POST', url: '/v1/labels', headers: KEYS.operator, payload: { labels: rows } });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'fs-loop-'));
  await promisify(execFile)(
    process.execPath,
    [
      ...['--import', 'tsx', 'scripts/train.ts', '--model', 'anomaly', '--source', 'sim', '--epochs', '1'],
      ...['--gpus', '8', '--hours', '6', '--max-devices', '4', '--out', dir, '--name', MODEL, '--version', 'v1'],
      ...['--progress', 'none'],
    ],
    { timeout: 300_000 },
  );
  // A champion that never alarms.
  const metaPath = path.join(dir, MODEL, 'v1', 'model.json');
  const meta = JSON.parse(await readFile(metaPath, 'utf8'));
  meta.threshold = { ...meta.threshold, value: 1e12 };
  await writeFile(metaPath, JSON.stringify(meta));
  store = new ModelStore(dir);

  h = await queueHarness({ MODELS_DIR: dir });
  app = await bootApp({ QUEUE_PREFIX: h.prefix, MODELS_DIR: dir });
  composition = await openComposition(testConfig({ MODELS_DIR: dir, QUEUE_PREFIX: h.prefix }), silentLog);
  role = await startRetrainRole(composition, silentLog, {
    holdoutMs: 4 * HOUR,
    trainArgs: ['--epochs', '1', '--max-devices', '4'],
    reportsDir: path.join(dir, 'reports'),
  });
  await backfill(h.writer, { ...sim, start: T(0), hours: 18, faultsPerGpuDay: 0 });
  await backfill(h.writer, { ...sim, start: T(18), hours: 6, faultsPerGpuDay: 12 });
  await walApplied(h.reader, 'gpu_metrics');
  await walApplied(h.reader, 'fault_labels');
}, 600_000);

afterAll(async () => {
  await role?.close();
  await composition?.close();
  await app?.close();
  await h?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('promotion needs labelled evidence', () => {
  it('shadows a candidate without labels, keeps the worse one and promotes the better one', async () => {
    // An operator labels a fault and marks a recommendation false_alarm.
    const [device] = (await h.reader.listDevices({ from: T(0), to: T(12) })).map((d) => d.device);
    const first = await labels([
      { device, fault_type: 'other', start: T(10), failure: T(10) + 60_000, source: 'operator', note: 'reseated' },
    ]);
    expect(first.statusCode, first.body).toBe(200);
    const wrong = fakeAction({ requiresApproval: true });
    await app.remediation.submit({ actions: [wrong] });
    const fa = await app.inject({
      method: 'POST',
      url: `/v1/recommendations/${wrong.id}/outcome`,
      headers: KEYS.operator,
      payload: { outcome: 'false_alarm', note: 'no fault found' },
    });
    expect(fa.statusCode, fa.body).toBe(200);
    expect(fa.json().recommendation.outcome).toMatchObject({ value: 'false_alarm' });
    await walApplied(h.reader, 'fault_labels');

    // Retrain #1: too few labels in the holdout → shadow, not promoted.
    const r1 = await retrain(T(0), T(12));
    expect(r1).toMatchObject({ decision: 'shadow', promote: false, activeVersion: 'v1' });
    expect(r1.labelledEvents).toBeLessThan(5);
    expect((await readFile(path.join(dir, MODEL, 'ACTIVE'), 'utf8')).trim()).toBe('v1');
    expect(await store.readShadow(MODEL)).toEqual({ version: r1.candidateVersion, since: T(12) });

    // T12-T18: forecasts score the shadow beside the champion.
    const inference = await InferenceService.open(testConfig({ MODELS_DIR: dir }), silentLog);
    try {
      const clusters = await activeClusters(h.reader, T(12), T(18));
      // The last slot ends before T18, where the faulty fleet's labels begin.
      for (let m = 15; m < 6 * 60; m += 15) {
        for (const cluster of clusters)
          await runShard({ ...h.forecastDeps(), inference }, { cluster, slot: T(12) + m * 60_000 });
      }
    } finally {
      await inference.close();
    }
    await walApplied(h.reader, 'shadow_scores');
    await walApplied(h.reader, 'anomaly_scores');
    const shadowRows = await h.reader.query<{ ts: number; device: string; shadow_alarm: string }>(
      'SELECT ts, device, shadow_alarm FROM shadow_scores WHERE model = $1 AND shadow_version = $2 ORDER BY ts',
      [MODEL, r1.candidateVersion],
    );
    expect(shadowRows.length).toBe(23 * sim.gpus);
    // The policy's inputs are the champion's: every stored anomaly score is v1's.
    const served = await h.reader.query<{ model_version: string }>(
      'SELECT DISTINCT model_version FROM anomaly_scores WHERE model = $1 AND ts >= $2 AND ts < $3',
      [MODEL, new Date(T(12)).toISOString(), new Date(T(18)).toISOString()],
    );
    expect(served).toEqual([{ model_version: 'v1' }]);

    // Operators label 5 faults on two GPUs, an hour or more apart. The shadow alarms elsewhere too: on GPUs with no
    // fault at all, alarms the silent champion never raised.
    const ms = (v: number | string | Date) => new Date(v).getTime();
    const devices = [...new Set(shadowRows.map((r) => r.device))].sort();
    const picked = [0, 0, 0, 1, 1].map((d, i) => {
      const at = ms(shadowRows.filter((r) => r.device === devices[d])[4 * i + 2].ts);
      return { device: devices[d], fault_type: 'other', start: at - 60_000, failure: at + 60_000 };
    });
    const unlabelled = shadowRows.filter((r) => r.device !== devices[0] && r.device !== devices[1]);
    expect(unlabelled.some((r) => Number(r.shadow_alarm) === 1)).toBe(true);
    expect((await labels(picked.map((p) => ({ ...p, source: 'ticket' })))).statusCode).toBe(200);
    // And degradations caught on the faulty fleet before they failed (no failure time): events all the same.
    const caught = [2, 3, 4, 5].map((d, i) => ({
      device: devices[d],
      fault_type: 'cooling_degradation',
      start: T(20.5 + i / 2),
      source: 'operator',
      note: 'caught: throttling, reseated the heatsink',
    }));
    const posted = await labels(caught);
    expect(posted.statusCode, posted.body).toBe(200);
    await walApplied(h.reader, 'fault_labels');

    // Retrain #2: the shadow is judged on its 5 labels: it catches them (the champion never does) but with false
    // alarms the champion does not raise: kept out. Then C2, judged on a holdout rich in labels, is promoted.
    const r2 = await retrain(T(12), T(24));
    const review = r2.shadowReview;
    expect(review).toMatchObject({ shadowVersion: r1.candidateVersion, recorded: 'keep', promote: false });
    expect(review?.labelledEvents).toBe(5);
    expect(review?.shadow.eventF1).toBeGreaterThan(review?.champion.eventF1 ?? 1);
    expect(review?.champion).toMatchObject({ eventF1: 0, falseAlarmsPerDeviceDay: 0 });
    expect(review?.shadow.falseAlarmsPerDeviceDay).toBeGreaterThan(0);
    expect(review?.reason).toMatch(/false alarms per device-day/);
    expect(await store.readShadow(MODEL)).toBeUndefined();
    expect(r2.labelledEvents).toBeGreaterThanOrEqual(5);
    expect(r2).toMatchObject({ decision: 'promote', promote: true, activeVersion: 'v1' });
    expect(r2.candidate).toBeGreaterThan(r2.active ?? Number.NaN);
    expect((await readFile(path.join(dir, MODEL, 'ACTIVE'), 'utf8')).trim()).toBe(r2.candidateVersion);

    // Every decision is on record with both figures and the label count.
    const rows = await comparisons();
    const detail = rows.map((r) => ({ version: r.candidate_version, promoted: r.promoted, ...JSON.parse(r.detail) }));
    expect(detail.map((d) => [d.version, d.comparison, d.decision, d.promoted])).toEqual([
      [r1.candidateVersion, 'holdout', 'shadow', '0'],
      [r1.candidateVersion, 'shadow', 'keep', '0'],
      [r2.candidateVersion, 'holdout', 'promote', '1'],
    ]);
    for (const d of detail) {
      expect(Number.isInteger(d.labelledEvents)).toBe(true);
      expect(d.candidate).toHaveProperty('eventF1');
      expect(d.active).toHaveProperty('eventF1');
    }
    expect(detail[1].active.falseAlarmsPerDeviceDay).toBe(0);
    expect(detail[1].candidate.falseAlarmsPerDeviceDay).toBeGreaterThan(0);
  }, 900_000);
});
