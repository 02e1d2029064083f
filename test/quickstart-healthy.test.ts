/**
 * The quick start's live path on a healthy fleet, with real QuestDB, Redis, ONNX Runtime and the default models
 * committed under models/: backfill the simulated fleet up to a seam, stream the same run on from it (its clock
 * faked so the rows land in this test's own time range), and run the batch forecast with the policy every
 * simulated minute for 15 minutes. No fault is injected, so a fault-prediction recommendation is a false one:
 * there must be none. The old fixed act level (0.7) would have acted on this fleet: the test checks that such
 * probabilities are there, so it could fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfill } from '../datasets/simulator/sinks.js';
import { streamLive } from '../datasets/simulator/stream.js';
import { activeClusters } from '../src/forecast/evidence.js';
import { runShard } from '../src/forecast/shard.js';
import { InferenceService } from '../src/inference/inference-service.js';
import { testConfig } from './helpers.js';
import { type QueueHarness, queueHarness, silentLog, walApplied } from './queue-fixtures.js';

const MIN = 60_000;
// 05:00 UTC on a random day of the 2040s: this test's fleet meets nobody else's telemetry, and the simulated fleet
// (whose load follows the time of day) is the same every run: the quick start's morning fleet, where the old
// fixed act level saw 13-16 % of the GPUs at or above 0.7.
const seam = Date.UTC(2044, 0, 1, 5) + Math.floor(Math.random() * 5_000) * 86_400_000;
const run = { seed: 42, gpus: 128, start: seam - 60 * MIN, hours: 1.5, faultsPerGpuDay: 0 };
const LIVE_MINUTES = 15;
let h: QueueHarness;
let inference: InferenceService;

beforeAll(async () => {
  h = await queueHarness();
  inference = await InferenceService.open(testConfig({ MODELS_DIR: 'models' }), silentLog);
  await backfill(h.writer, run, undefined, { to: seam });
  // Live stream at one step per sample period; the faked wall clock starts at the seam and is never behind.
  let calls = 0;
  const ctl = new AbortController();
  await streamLive(h.writer, run, {
    rate: 0.1,
    resumeAt: seam,
    signal: ctl.signal,
    now: () => (calls++ === 0 ? seam : seam + 1e12),
    progress: (done) => {
      if (done === (LIVE_MINUTES * MIN) / 10_000) ctl.abort();
    },
  });
  await walApplied(h.reader, 'gpu_metrics');
  await walApplied(h.reader, 'facility_metrics');
}, 300_000);

afterAll(async () => {
  await inference?.close();
  await h?.close();
});

describe('quick start on a healthy fleet', () => {
  it('forecasts every minute for 15 minutes and proposes no fault-prediction action', async () => {
    const clusters = await activeClusters(h.reader, seam - 60 * MIN, seam + LIVE_MINUTES * MIN);
    expect(clusters.length).toBeGreaterThan(0);
    let scored = 0;
    for (let m = 1; m <= LIVE_MINUTES; m++) {
      for (const cluster of clusters) {
        const r = await runShard({ ...h.forecastDeps(), inference }, { cluster, slot: seam + m * MIN });
        scored += r.scored.fault ?? 0;
      }
    }
    expect(scored).toBe(LIVE_MINUTES * run.gpus);
    const recs = await h.store.list({ limit: 5_000 });
    expect(recs.filter((r) => r.action.evidence.kind === 'fault-prediction').map((r) => r.action.reason)).toEqual([]);

    // Not vacuous: the probabilities the old fixed 0.7 acted on are there; the model's own threshold is not met.
    await walApplied(h.reader, 'fault_predictions');
    const p = await h.reader.query<{ n: string; high: string; alarms: string; threshold: number }>(
      'SELECT count() n, sum(CASE WHEN probability >= 0.7 THEN 1 ELSE 0 END) high, sum(alarm) alarms, ' +
        'max(threshold) threshold FROM fault_predictions WHERE ts >= $1 AND ts < $2',
      [new Date(seam).toISOString(), new Date(seam + LIVE_MINUTES * MIN).toISOString()],
    );
    expect(Number(p[0].n)).toBe(LIVE_MINUTES * run.gpus);
    expect(Number(p[0].high)).toBeGreaterThan(0);
    expect(Number(p[0].alarms)).toBe(0);
    expect(p[0].threshold).toBeGreaterThan(0.7);
  }, 300_000);
});
