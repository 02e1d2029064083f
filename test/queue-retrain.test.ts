/**
 * Retraining on real QuestDB, Redis, TensorFlow.js (training CLI, 1 epoch) and ONNX Runtime (evaluation): a
 * retrain job trains a candidate on the range before a held-out window, evaluates candidate and active on that
 * same window, records the comparison and makes ACTIVE follow the decision; a promotion is broadcast to
 * subscribed processes.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfill } from '../datasets/simulator/sinks.js';
import { type Composition, openComposition } from '../src/composition.js';
import { ModelStore } from '../src/inference/model-store.js';
import { type Promotion, subscribePromotions } from '../src/queue/model-events.js';
import type { RetrainJobData } from '../src/queue/names.js';
import { enqueueRetrain } from '../src/queue/retrain.js';
import { startRetrainRole } from '../src/queue/retrain-worker.js';
import { testConfig, waitFor } from './helpers.js';
import { type QueueHarness, queueHarness, silentLog, walApplied } from './queue-fixtures.js';

const HOUR = 3_600_000;
let h: QueueHarness;
let dir: string;
let composition: Composition;
let worker: Awaited<ReturnType<typeof startRetrainRole>>;
let unsubscribe: () => Promise<void>;
const promotions: Promotion[] = [];
// A private stretch of time: a random day in the 2040s.
const start = Date.UTC(2042, 0, 1) + Math.floor(Math.random() * 3_000) * 24 * HOUR;
const hours = 12;

/** Train `name`/v1 of `family` on a small simulated fleet through the training CLI. */
async function trainV1(family: string, name: string, extra: string[] = []): Promise<void> {
  await promisify(execFile)(
    process.execPath,
    [
      ...['--import', 'tsx', 'scripts/train.ts', '--model', family, '--source', 'sim', '--epochs', '1'],
      ...[
        '--gpus',
        '8',
        '--hours',
        '6',
        ...extra,
        '--out',
        dir,
        '--name',
        name,
        '--version',
        'v1',
        '--progress',
        'none',
      ],
    ],
    { timeout: 300_000 },
  );
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'fs-retrain-'));
  // The active versions, v1: tiny models trained on simulated data (1 epoch). The throughput model reads job rows,
  // not GPU windows, and records one-hot columns among its features.
  await trainV1('anomaly', 'anomaly-rt', ['--max-devices', '4']);
  await trainV1('throughput', 'throughput-rt');
  h = await queueHarness({ MODELS_DIR: dir });
  await backfill(h.writer, { seed: 3, gpus: 8, start, hours, faultsPerGpuDay: 1 });
  await walApplied(h.reader, 'gpu_metrics');
  await walApplied(h.reader, 'fault_labels');
  unsubscribe = await subscribePromotions(h.config.redis, h.prefix, silentLog, async (p) => {
    promotions.push(p);
  });
  composition = await openComposition(testConfig({ MODELS_DIR: dir, QUEUE_PREFIX: h.prefix }), silentLog);
  worker = await startRetrainRole(composition, silentLog, {
    holdoutMs: 4 * HOUR,
    trainArgs: ['--epochs', '1', '--max-devices', '4'],
    reportsDir: path.join(dir, 'reports'),
  });
});

afterAll(async () => {
  await unsubscribe?.();
  await worker?.close();
  await composition?.close();
  await h?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Enqueue a retrain and wait until it has finished (completed or failed). */
async function finishedRetrain(data: Omit<RetrainJobData, 'requestedBy'>) {
  const { jobId } = await enqueueRetrain(h.queues, { requestedBy: 'test', ...data });
  return waitFor(
    () => h.queues.retrain.getJob(jobId),
    (j) => j?.finishedOn !== undefined,
    { timeoutMs: 300_000, intervalMs: 500 },
  );
}

describe('retrain job', () => {
  it('trains a candidate, compares it with the active version on one held-out window, and records it', async () => {
    const job = await finishedRetrain({ model: 'anomaly-rt', trigger: 'api', from: start, to: start + hours * HOUR });
    expect(job?.failedReason).toBeUndefined();
    const result = job?.returnvalue;
    expect(result).toMatchObject({
      model: 'anomaly-rt',
      activeVersion: 'v1',
      holdout: { from: new Date(start + 8 * HOUR).toISOString(), to: new Date(start + 12 * HOUR).toISOString() },
    });
    expect(Number.isFinite(result.candidate) && Number.isFinite(result.active)).toBe(true);
    const active = (await readFile(path.join(dir, 'anomaly-rt', 'ACTIVE'), 'utf8')).trim();
    expect(active).toBe(result.promote ? result.candidateVersion : 'v1');
    await walApplied(h.reader, 'model_comparisons');
    const rows = await h.reader.query<{ active_version: string; promoted: string; metric: string }>(
      'SELECT active_version, promoted, metric FROM model_comparisons WHERE model = $1 AND candidate_version = $2',
      ['anomaly-rt', result.candidateVersion],
    );
    expect(rows).toEqual([{ active_version: 'v1', promoted: result.promote ? '1' : '0', metric: result.metric }]);
    // The record says how much labelled evidence the holdout held and what that allowed.
    const [{ detail }] = await h.reader.query<{ detail: string }>(
      'SELECT detail FROM model_comparisons WHERE model = $1 AND candidate_version = $2',
      ['anomaly-rt', result.candidateVersion],
    );
    const recorded = JSON.parse(detail);
    expect(Number.isInteger(recorded.labelledEvents)).toBe(true);
    expect(recorded.labelledEvents).toBe(recorded.candidate.labelledEvents);
    expect(recorded.minLabelledEvents).toBe(5);
    expect(recorded.decision).toBe(recorded.labelledEvents < 5 ? 'shadow' : result.promote ? 'promote' : 'keep');
    if (result.promote) {
      await waitFor(
        async () => promotions,
        (p) => p.length === 1,
      );
      expect(promotions[0]).toEqual({ model: 'anomaly-rt', version: result.candidateVersion });
    } else expect(promotions).toEqual([]);
  });

  it('fails a retrain of an unknown model without retrying', async () => {
    const job = await finishedRetrain({ model: 'no-such-model', trigger: 'api' });
    expect(await job?.getState()).toBe('failed');
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toMatch(/no servable version/);
  });

  it('skips, without failing or retrying, a retrain whose training range holds no telemetry', async () => {
    // A copy of the active version under its own name (the first test may leave anomaly-rt a shadow to review),
    // retrained over a day nobody writes to: the training range (before the 4 h holdout) is empty.
    await cp(path.join(dir, 'anomaly-rt', 'v1'), path.join(dir, 'anomaly-empty', 'v1'), { recursive: true });
    const to = Date.UTC(2003, 5, 1, 12);
    const job = await finishedRetrain({
      model: 'anomaly-empty',
      trigger: 'schedule',
      from: to - 12 * HOUR,
      to,
    });
    expect(job?.failedReason).toBeUndefined();
    expect(await job?.getState()).toBe('completed');
    expect(job?.attemptsMade).toBe(1);
    expect(job?.returnvalue).toMatchObject({
      model: 'anomaly-empty',
      trainRange: { from: new Date(to - 12 * HOUR).toISOString(), to: new Date(to - 4 * HOUR).toISOString() },
    });
    expect(job?.returnvalue.skipped).toMatch(/NO_DATA: no gpu_metrics between/);
    expect(job?.returnvalue.candidateVersion).toBeUndefined();
  });

  it('retrains over a range that ends before the shadow started, leaving the shadow to a later review', async () => {
    // v2 (a copy of v1) shadows since after the range: the range holds none of its forecasts to compare.
    for (const v of ['v1', 'v2'])
      await cp(path.join(dir, 'anomaly-rt', 'v1'), path.join(dir, 'anomaly-old', v), { recursive: true });
    const store = new ModelStore(dir);
    const to = start + hours * HOUR;
    const shadow = { version: 'v2', since: to + HOUR };
    await store.writeActive('anomaly-old', 'v1');
    await store.writeShadow('anomaly-old', shadow);
    const job = await finishedRetrain({ model: 'anomaly-old', trigger: 'api', from: start, to });
    expect(job?.failedReason).toBeUndefined();
    expect(await job?.getState()).toBe('completed');
    const result = job?.returnvalue;
    expect(result.shadowReview).toBeUndefined();
    expect(typeof result.candidateVersion).toBe('string');
    // Unless this retrain's own candidate became the shadow, the registered one is untouched.
    expect(await store.readShadow('anomaly-old')).toEqual(
      result.decision === 'shadow' ? { version: result.candidateVersion, since: to } : shadow,
    );
  });

  it('retrains a throughput model from QuestDB job rows with the features it was trained with', async () => {
    const job = await finishedRetrain({
      model: 'throughput-rt',
      trigger: 'api',
      from: start,
      to: start + hours * HOUR,
    });
    expect(job?.failedReason).toBeUndefined();
    const result = job?.returnvalue;
    expect(result.skipped).toBeUndefined();
    expect(typeof result.candidateVersion).toBe('string');
    const candidate = JSON.parse(
      await readFile(path.join(dir, 'throughput-rt', result.candidateVersion, 'model.json'), 'utf8'),
    );
    const active = JSON.parse(await readFile(path.join(dir, 'throughput-rt', 'v1', 'model.json'), 'utf8'));
    expect(candidate.features).toEqual(active.features);
    expect(candidate.source.kind).toBe('questdb');
  });
});
