/**
 * The remediation loop end to end on real QuestDB and Redis, with the product's workers and schedulers:
 * the simulator injects an ECC storm (it ends in XID 48) → scheduled forecast runs flag it → recommendations with
 * evidence are stored → an operator approves them (they are critical) → jobs are enqueued → the dry-run worker
 * executes them (the GPU reset after the node drain it depends on) → audit rows exist. Later runs detect the same
 * fault again and add nothing: one action per fault, one audit row per action.
 *
 * Path: the policy's XID/ECC rules (model-free). When a trained anomaly/fault model is served, the same shards
 * score it too (src/forecast/scoring.ts); no model is needed for this test. The test's "now" is a random day in the
 * 2030s, so its telemetry cannot collide with anyone else's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultPlan } from '../datasets/simulator/index.js';
import { backfill } from '../datasets/simulator/sinks.js';
import { forecastProcessor, scheduleForecasts } from '../src/forecast/jobs.js';
import type { StoredRecommendation } from '../src/queue/recommendation-store.js';
import { QueueWorkers } from '../src/queue/workers.js';
import { waitFor } from './helpers.js';
import { type QueueHarness, queueHarness, silentLog, walApplied } from './queue-fixtures.js';

const HOUR = 3_600_000;
const testStarted = Date.now();
let h: QueueHarness;
let workers: QueueWorkers;
let forecast: ReturnType<typeof forecastProcessor>;

const day = Date.UTC(2031, 0, 1) + Math.floor(Math.random() * 3_000) * 24 * HOUR;
const sim = { seed: 7, gpus: 16, start: day, hours: 3, faultTypes: ['ecc_storm' as const], faultsPerGpuDay: 0.5 };
const [fault] = faultPlan(sim);
// "Now" for the forecasts: three minutes after the GPU failed and raised its XID, then running in real time.
const fakeNow = fault.failureTs + 3 * 60_000;

beforeAll(async () => {
  expect(fault).toMatchObject({ faultType: 'ecc_storm', xid: 48 });
  h = await queueHarness();
  await backfill(h.writer, sim);
  await walApplied(h.reader, 'gpu_metrics');
  const t0 = Date.now();
  forecast = forecastProcessor({ ...h.forecastDeps(), clock: () => fakeNow + (Date.now() - t0) });
  workers = new QueueWorkers({
    config: h.config,
    queues: h.queues,
    writer: h.writer,
    log: silentLog,
    processors: { forecast: { processor: forecast, concurrency: 2 } },
    dependencyRetryMs: 300,
  });
  await workers.waitUntilReady();
  await scheduleForecasts(h.queues, 2_000, 24 * HOUR);
});

afterAll(async () => {
  await workers?.close();
  await forecast?.close();
  await h?.close();
});

const forDevice = async (): Promise<StoredRecommendation[]> =>
  (await h.store.list({ limit: 1_000 })).filter(
    (r) => r.action.evidence.devices.includes(fault.device) && r.action.evidence.kind === 'xid',
  );

const completedRuns = async () =>
  (await h.queues.forecast.getJobs(['completed'], 0, 1_000)).filter((j) => j.name === 'forecast-summary');

describe('remediation loop', () => {
  it('turns an injected fault into one approved, executed and audited set of actions', async () => {
    // 1. A scheduled run flags the fault: XID 48 on the failing GPU, with its evidence.
    const proposed = await waitFor(forDevice, (r) => r.length >= 2, { timeoutMs: 60_000, intervalMs: 250 });
    const byType = new Map(proposed.map((r) => [r.action.type, r]));
    const drain = byType.get('drain_node');
    const reset = byType.get('reset_gpu');
    expect(drain?.action.target.id).toBe(fault.node);
    expect(reset?.action.target.id).toBe(fault.device);
    expect(reset?.action.dependsOn).toContain(drain?.id);
    for (const r of [drain, reset]) {
      expect(r?.status).toBe('proposed');
      expect(r?.action.requiresApproval).toBe(true); // critical: an operator decides
      expect(r?.action.evidence.xids?.some((x) => x.code === 48)).toBe(true);
      expect(r?.action.reason).toMatch(/XID 48/);
    }
    const runsAtDetection = (await completedRuns()).length;

    // 2. The operator approves; the dry-run worker executes the drain, then the reset that waited for it.
    if (!drain || !reset) throw new Error('missing actions');
    await h.dispatcher.approve(reset.id, 'e2e-operator');
    await h.dispatcher.approve(drain.id, 'e2e-operator');
    for (const r of [drain, reset]) {
      await waitFor(
        () => h.store.require(r.id),
        (x) => x.status === 'executed',
        { timeoutMs: 30_000 },
      );
    }

    // 3. More scheduled runs see the same fault again: nothing new is created, queued or executed.
    await waitFor(completedRuns, (runs) => runs.length >= runsAtDetection + 3, { timeoutMs: 60_000, intervalMs: 250 });
    // Still exactly one drain and one reset for this fault. (Other evidence on the same GPU — ECC counters that
    // report a different fault, a recurring-XID escalation — has its own key and goes through the same rails.)
    const after = (await forDevice()).filter((r) => r.action.evidence.key === drain.action.evidence.key);
    expect(after.map((r) => r.id).sort()).toEqual([drain.id, reset.id].sort());
    expect(after.every((r) => r.status === 'executed' && r.occurrence === 1)).toBe(true);
    await walApplied(h.reader, 'remediation_actions');
    for (const r of [drain, reset]) {
      // Action ids are stable per fault (the simulated fault is the same in every run of this test): the
      // occurrence's creation time picks this run's rows.
      const rows = await h.auditRows(r.id, (await h.store.require(r.id)).createdAt);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ result: 'dry-run', dry_run: 1 });
      expect(rows[0].detail).toMatch(new RegExp(`^would ${r.action.type}`));
    }
    const at = (ms: number) => new Date(ms).toISOString();
    const drainRow = await h.reader.query<{ finished: Date }>(
      'SELECT finished FROM remediation_actions WHERE action_id = $1 AND ts = $2',
      [drain.id, at(drain.createdAt)],
    );
    const resetRow = await h.reader.query<{ started: Date }>(
      'SELECT started FROM remediation_actions WHERE action_id = $1 AND ts = $2',
      [reset.id, at(reset.createdAt)],
    );
    expect(new Date(resetRow[0].started).getTime()).toBeGreaterThanOrEqual(new Date(drainRow[0].finished).getTime());
    // The runs logged their size: every run covered the simulated cluster's 16 GPUs.
    const last = (await completedRuns()).at(-1);
    expect(last?.returnvalue).toMatchObject({ shards: 1, shardsDone: 1, devices: 16 });
    // The history in QuestDB shows the life of each action.
    await walApplied(h.reader, 'recommendations');
    // (Created at the policy's clock, this test's fake "now"; changed by people and workers in real time.)
    const history = await h.reader.query<{ status: string }>(
      'SELECT status FROM recommendations WHERE id = $1 AND (ts = $2 OR (ts >= $3 AND ts <= $4))',
      [reset.id, at(reset.createdAt), at(testStarted), at(Date.now())],
    );
    expect(history.map((r) => r.status).sort()).toEqual(['approved', 'executed', 'proposed', 'queued']);
  });
});
