/**
 * Batch forecasts on real QuestDB, Redis and ONNX Runtime: a shard scores each device's latest window with the
 * served models (tiny exact graphs, so the expected scores are known), writes anomaly_scores,
 * fault_predictions and throughput_forecasts (each job at its cap and lower candidates), feeds the policy (a high failure probability → a scheduled drain); a second tick of a
 * running slot is skipped; PSI separates a shifted score distribution from an unchanged one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvidence } from '../src/forecast/evidence.js';
import { forecastProcessor, type TickData } from '../src/forecast/jobs.js';
import { runShard } from '../src/forecast/shard.js';
import { FORECAST_STAGES } from '../src/forecast/timings.js';
import { InferenceService } from '../src/inference/inference-service.js';
import { linearHeads, offsetAutoencoder, testMetadata, writeModelDir } from '../src/inference/testing/graph-models.js';
import { checkDrift, populationStabilityIndex } from '../src/queue/retrain.js';
import type { TelemetryRow } from '../src/telemetry/catalogue.js';
import { testConfig, uniqueTag } from './helpers.js';
import { type QueueHarness, queueHarness, silentLog, walApplied } from './queue-fixtures.js';

const T = 6;
const PERIOD = 10_000;
const FEATURES = ['gpu_temp_c', 'power_w'];
let h: QueueHarness;
let dir: string;
let inference: InferenceService;
const cluster = uniqueTag('fc');
// A random minute in the 2040s: this test's telemetry cannot meet anyone else's.
const slot = Date.UTC(2040, 0, 1) + Math.floor(Math.random() * 1e6) * 60_000;
const devices = [`${cluster}-n0/0`, `${cluster}-n0/1`];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'fs-forecast-'));
  // Anomaly: reconstruction = input + [0.1, 0.2] → score = (0.01 + 0.04) / 2 = 0.025 for every window;
  // power_w explains 0.8 of it. Threshold 0.02: anomalous, but only 1.25 × threshold (info: no action).
  await writeModelDir(
    dir,
    testMetadata('anomaly-t', 'v1', 'anomaly', {
      features: FEATURES,
      windowLength: T,
      outputs: ['reconstruction'],
      threshold: { value: 0.02, method: 'fixed', params: {} },
    }),
    offsetAutoencoder(T, FEATURES.length, [0.1, 0.2]),
  );
  // Fault: sigmoid(2) = 0.881 within 30 min; TTF: relu(0.5) of a 360-step cap = 30 min.
  const zeros = new Array(T * FEATURES.length).fill(0);
  await writeModelDir(
    dir,
    testMetadata('fault-t', 'v1', 'fault', {
      features: FEATURES,
      windowLength: T,
      outputs: ['fault_probability'],
      horizonSteps: 180,
      // The policy acts on the model's own threshold: 0.881 is above it.
      threshold: { value: 0.8, method: 'fixed', params: {} },
    }),
    linearHeads([T, FEATURES.length], [{ name: 'fault_probability', weights: zeros, bias: 2, activation: 'sigmoid' }]),
  );
  await writeModelDir(
    dir,
    testMetadata('ttf-t', 'v1', 'ttf', { features: FEATURES, windowLength: T, outputs: ['ttf'], ttfCapSteps: 360 }),
    linearHeads([T, FEATURES.length], [{ name: 'ttf', weights: zeros, bias: 0.5, activation: 'relu' }]),
  );
  // An anomaly model that reads the rack inlet: this cluster's rack has no facility rows, so it cannot score.
  await writeModelDir(
    dir,
    testMetadata('rack-t', 'v1', 'anomaly', {
      features: ['gpu_temp_c', 'rack:inlet_temp_c'],
      windowLength: T,
      outputs: ['reconstruction'],
      threshold: { value: 0.02, method: 'fixed', params: {} },
    }),
    offsetAutoencoder(T, 2, [0, 0]),
  );
  // Throughput: 0.01 × cap + 100 (identity scaler, no target transform), on the cap alone.
  await writeModelDir(
    dir,
    testMetadata('tp-t', 'v1', 'throughput', { features: ['power_cap_w'], windowLength: 1, outputs: ['throughput'] }),
    linearHeads([1], [{ name: 'throughput', weights: [0.01], bias: 100, activation: 'none' }]),
  );
  h = await queueHarness();
  inference = await InferenceService.open(testConfig({ MODELS_DIR: dir }), silentLog);
  const rows: TelemetryRow[] = [];
  for (let k = 20; k >= 1; k--) {
    for (const d of devices) {
      const [node, gpu] = d.split('/');
      rows.push({
        ts: slot - k * PERIOD,
        symbols: { cluster, rack: `${cluster}-r0`, node, gpu, gpu_model: 'H100' },
        values: { gpu_temp_c: 60 + k, power_w: 500 - k, gpu_util: 90 },
      });
    }
  }
  await h.writer.write('job_metrics', [
    {
      ts: slot - PERIOD,
      symbols: { job_id: `${cluster}-job`, workload: 'llm-pretrain', gpu_model: 'H100', cluster },
      values: {
        params_billion: 70,
        n_gpus: 8,
        batch_size: 512,
        power_cap_w: 700,
        sm_clock_mhz: 1800,
        gpu_temp_c: 70,
        throughput: 107,
        gpu_util_mean: 95,
      },
    },
  ]);
  await h.writer.write('gpu_metrics', rows);
  await h.writer.flush();
  // Both tables the shard reads: the throughput forecast reads job_metrics at the same time as the rest.
  await walApplied(h.reader, 'gpu_metrics');
  await walApplied(h.reader, 'job_metrics');
});

afterAll(async () => {
  await inference?.close();
  await h?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('forecast shard', () => {
  it('scores every device with the served models, writes the scores and feeds the policy', async () => {
    const result = await runShard({ ...h.forecastDeps(), inference }, { cluster, slot });
    expect(result).toMatchObject({
      devices: 2,
      scored: { 'anomaly-t': 2, 'fault-t': 2, 'ttf-t': 2, 'tp-t': 1, 'rack-t': 0 },
      // Named, not scored as NaN: nothing in facility_metrics for this rack.
      unscorable: { 'rack-t': { devices: 2, fields: ['rack:inlet_temp_c'] } },
    });
    // Every stage took time and none took longer than the shard (the forecast bench reads these); no model has a
    // shadow here, so the shadow stage took none.
    for (const stage of FORECAST_STAGES) {
      if (stage === 'shadow') expect(result.timings.shadow).toBe(0);
      else expect(result.timings[stage], stage).toBeGreaterThan(0);
      expect(result.timings[stage], stage).toBeLessThanOrEqual(result.durationMs + 1);
    }
    await walApplied(h.reader, 'throughput_forecasts');
    const tp = await h.reader.query<{ power_cap_w: number; throughput: number; current: string }>(
      'SELECT power_cap_w, throughput, current FROM throughput_forecasts WHERE cluster = $1 ORDER BY power_cap_w DESC',
      [cluster],
    );
    expect(tp.map((r) => [r.power_cap_w, Number(r.current)])).toEqual([
      [700, 1],
      [630, 0],
      [560, 0],
      [490, 0],
    ]);
    for (const r of tp) expect(r.throughput).toBeCloseTo(0.01 * r.power_cap_w + 100, 3);
    await walApplied(h.reader, 'anomaly_scores');
    await walApplied(h.reader, 'fault_predictions');
    const scores = await h.reader.query<{ device: string; score: number; anomalous: string; top_features: string }>(
      'SELECT device, score, anomalous, top_features FROM anomaly_scores WHERE cluster = $1 ORDER BY device',
      [cluster],
    );
    expect(scores.map((s) => s.device)).toEqual(devices);
    for (const s of scores) {
      expect(s.score).toBeCloseTo(0.025, 4); // float32 offsets
      expect(Number(s.anomalous)).toBe(1);
      const top = JSON.parse(s.top_features) as { name: string; contribution: number }[];
      expect(top[0].name).toBe('power_w');
      expect(top[0].contribution).toBeCloseTo(0.8, 3);
    }
    const predictions = await h.reader.query<{ probability: number; ttf_ms: number; horizon_ms: string }>(
      'SELECT probability, ttf_ms, horizon_ms FROM fault_predictions WHERE cluster = $1',
      [cluster],
    );
    expect(predictions).toHaveLength(2);
    for (const p of predictions) {
      expect(p.probability).toBeCloseTo(1 / (1 + Math.exp(-2)), 5);
      expect(p.ttf_ms).toBeCloseTo(0.5 * 360 * PERIOD, 0);
      expect(Number(p.horizon_ms)).toBe(180 * PERIOD);
    }
    // p = 0.88 > the model's 0.8: the policy schedules maintenance; the recommendations carry the prediction and
    // the threshold it acted on as evidence.
    const recs = await h.store.list({ limit: 100 });
    const predictive = recs.filter((r) => r.action.evidence.kind === 'fault-prediction');
    expect(predictive.length).toBeGreaterThan(0);
    expect(predictive[0].action.evidence.model).toEqual({ name: 'fault-t', version: 'v1' });
    expect(predictive[0].action.evidence.prediction?.threshold).toEqual({
      value: 0.8,
      source: 'model fault-t@v1 (model.json threshold, fixed, on raw scores)',
    });
    expect(predictive.some((r) => r.action.type === 'drain_node' && r.action.target.id === `${cluster}-n0`)).toBe(true);
    // Scoring the same slot again (a retried shard) replaces rows and adds no recommendation.
    const again = await runShard({ ...h.forecastDeps(), inference }, { cluster, slot });
    expect(again.actions.proposed).toBe(0);
    await walApplied(h.reader, 'anomaly_scores');
    const count = await h.reader.query<{ n: string }>('SELECT count() n FROM anomaly_scores WHERE cluster = $1', [
      cluster,
    ]);
    expect(Number(count[0].n)).toBe(2);
  });

  it('skips a tick while the previous run of the schedule still holds the lock', async () => {
    const processor = forecastProcessor({ ...h.forecastDeps(), clock: () => slot + 1 });
    try {
      const tick = { name: 'forecast-tick', data: { everyMs: 60_000 } } as Job<TickData>;
      const first = await processor(tick);
      const second = await processor(tick);
      expect(first).toMatchObject({ slot, shards: 1 });
      expect(second).toMatchObject({ slot, skipped: true });
      const run = await h.queues.forecast.getJob(`forecast-run-${slot}`);
      expect(await run?.getState()).toBe('waiting-children');
      expect(await h.queues.forecast.getJob(`forecast-shard-${slot}-${cluster}`)).toBeDefined();
    } finally {
      await processor.close();
    }
  });
});

describe('forecast evidence', () => {
  it("gives the policy each job's GPUs from gpu_metrics.job_id at their last sample, idle GPUs left out", async () => {
    const c = uniqueTag('fj');
    const row = (k: number, node: string, gpu: string, job?: string): TelemetryRow => ({
      ts: slot - k * PERIOD,
      symbols: { cluster: c, rack: `${c}-r0`, node, gpu, ...(job ? { job_id: job } : {}) },
      values: { gpu_util: 90 },
    });
    await h.writer.write('gpu_metrics', [
      // n0/0 moved from job a to job b; n0/1 and n1/0 run b; n1/1 ran a, then went idle.
      row(3, 'n0', '0', 'a'),
      row(1, 'n0', '0', 'b'),
      row(1, 'n0', '1', 'b'),
      row(1, 'n1', '0', 'b'),
      row(3, 'n1', '1', 'a'),
      row(1, 'n1', '1'),
    ]);
    await h.writer.flush();
    await walApplied(h.reader, 'gpu_metrics');
    const evidence = await readEvidence(h.reader, { cluster: c, from: slot - 3_600_000, to: slot });
    expect(evidence.jobs).toEqual([{ id: 'b', cluster: c, devices: ['n0/0', 'n0/1', 'n1/0'] }]);
  });
});

describe('drift', () => {
  it("enqueues one retrain when the active version's recent scores moved away from its reference period", async () => {
    const model = { name: uniqueTag('drift-m'), version: 'v1' };
    const now = slot;
    const row = (ts: number, score: number) => ({
      ts,
      symbols: { device: 'd/0', cluster, rack: 'r', model: model.name, model_version: model.version },
      doubles: { score, threshold: 1 },
      longs: { anomalous: 0 },
      strings: { top_features: '[]' },
    });
    // Reference: the version's first day, scores spread over [0, 1). Recent 6 h: the same, then shifted upwards.
    const reference = Array.from({ length: 400 }, (_, i) => row(now - 48 * 3_600_000 + i * 60_000, (i * 0.618) % 1));
    const steady = Array.from({ length: 300 }, (_, i) => row(now - 5 * 3_600_000 + i * 60_000, (i * 0.618) % 1));
    await h.writer.writeRows('anomaly_scores', [...reference, ...steady]);
    await h.writer.flush();
    await walApplied(h.reader, 'anomaly_scores');
    const calm = await checkDrift(h.reader, h.queues, model, now);
    expect(calm).toMatchObject({ drifted: false, referenceSamples: 400, recentSamples: 300 });
    expect(calm.psi).toBeLessThan(0.1);
    expect(await h.queues.retrain.count()).toBe(0);

    const shifted = steady.map((r) => ({ ...r, doubles: { ...r.doubles, score: 0.5 + (r.doubles.score ?? 0) } }));
    await h.writer.writeRows('anomaly_scores', shifted);
    await h.writer.flush();
    await walApplied(h.reader, 'anomaly_scores');
    const drifted = await checkDrift(h.reader, h.queues, model, now);
    expect(drifted.drifted).toBe(true);
    expect(drifted.psi).toBeGreaterThan(0.25);
    await checkDrift(h.reader, h.queues, model, now); // still drifted: joins the waiting retrain
    const jobs = await h.queues.retrain.getJobs(['waiting']);
    expect(jobs.map((j) => [j.data.model, j.data.trigger])).toEqual([[model.name, 'drift']]);
  });

  it('measures no shift for the same distribution and a large one for a shifted one', () => {
    const rng = (seed: number) => () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const r = rng(1);
    const reference = Array.from({ length: 5_000 }, () => r());
    const same = Array.from({ length: 5_000 }, () => r());
    const shifted = same.map((v) => v * 0.6 + 0.4);
    expect(populationStabilityIndex(reference, same)).toBeLessThan(0.02);
    expect(populationStabilityIndex(reference, shifted)).toBeGreaterThan(0.25);
  });
});
