/**
 * The backtest on a simulated fleet in the real QuestDB, with the committed default models: it replays the live
 * path over the range, executes nothing (its own queue namespace is gone afterwards and no live score is rewritten),
 * and scores what it would have recommended against the simulator's fault labels.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfill } from '../datasets/simulator/sinks.js';
import { type Composition, openComposition } from '../src/composition.js';
import { runBacktest } from '../src/forecast/backtest.js';
import { scorecardSummary } from '../src/forecast/scorecard.js';
import { bootApp, KEYS, testConfig, uniqueTag, waitFor } from './helpers.js';
import { fakeAction, silentLog, walApplied } from './queue-fixtures.js';

const HOUR = 3_600_000;
const start = Date.UTC(2044, 0, 1) + Math.floor(Math.random() * 3_000) * 24 * HOUR;
const hours = 6;
let c: Composition;

beforeAll(async () => {
  c = await openComposition(testConfig({ QUEUE_PREFIX: uniqueTag('fsbt') }), silentLog);
  await backfill(c.writer, { seed: 5, gpus: 16, start, hours, faultsPerGpuDay: 2 });
  await walApplied(c.reader, 'gpu_metrics');
  await walApplied(c.reader, 'fault_labels');
}, 300_000);
afterAll(async () => {
  await c?.close();
});

describe('backtest', () => {
  it('replays the live path over history, executes nothing, and scores it against the labels', async () => {
    const scoresBefore = await c.reader.query<{ n: number }>(
      'SELECT count() n FROM anomaly_scores WHERE ts >= $1 AND ts < $2',
      [new Date(start).toISOString(), new Date(start + hours * HOUR).toISOString()],
    );
    const inference = await c.inference();
    const r = await runBacktest(
      c,
      inference,
      { from: start + HOUR, to: start + hours * HOUR, stepMs: 5 * 60_000 },
      silentLog,
    );
    const s = r.scorecard;
    console.info(scorecardSummary(s).join('\n'));
    expect(r.slots).toBe(60);
    expect(s.devices).toBe(16);
    expect(s.failures).toBeGreaterThan(0);
    expect(s.caught).toBeGreaterThan(0); // the fault predictor warns before failures on unseen simulator seeds
    expect(s.perFault.every((f) => !f.caught || (f.leadMin as number) > 0)).toBe(true);
    expect(s.falsePerDeviceDay).not.toBeNull();
    // Nothing executed or kept: the replay's namespace is gone, and no score of the range was written.
    const leftover = await c.queues.redis.keys(`${c.queues.prefix}-backtest-*`);
    expect(leftover).toEqual([]);
    const scoresAfter = await c.reader.query<{ n: number }>(
      'SELECT count() n FROM anomaly_scores WHERE ts >= $1 AND ts < $2',
      [new Date(start).toISOString(), new Date(start + hours * HOUR).toISOString()],
    );
    expect(Number(scoresAfter[0].n)).toBe(Number(scoresBefore[0].n));
  });
});

describe('GET /v1/scorecard', () => {
  it('scores the live recommendation history of its namespace against the labels', async () => {
    const app = await bootApp();
    try {
      const t0 = Date.UTC(2048, 0, 1) + Math.floor(Math.random() * 3_000) * 24 * HOUR;
      const node = uniqueTag('scn');
      const other = uniqueTag('sco');
      await app.writer.write('gpu_metrics', [
        { ts: t0, symbols: { cluster: 'sc', rack: 'sc-r0', node, gpu: '0' }, values: { gpu_temp_c: 60 } },
        { ts: t0, symbols: { cluster: 'sc', rack: 'sc-r0', node: other, gpu: '0' }, values: { gpu_temp_c: 60 } },
      ]);
      await app.writer.writeLabels([
        {
          device: `${node}/0`,
          cluster: 'sc',
          rack: 'sc-r0',
          node,
          gpu: '0',
          faultType: 'ecc_storm',
          onsetTs: t0 + HOUR,
          failureTs: t0 + 2 * HOUR,
          xid: 48,
        },
      ]);
      await app.writer.flush();
      const target = (n: string) => ({ kind: 'node' as const, id: n, cluster: 'sc', rack: 'sc-r0', node: n });
      await app.remediation.submit({ actions: [fakeAction({ target: target(node) })], now: t0 + 90 * 60_000 });
      await app.remediation.submit({ actions: [fakeAction({ target: target(other) })], now: t0 + 3 * HOUR });
      await app.writer.flush();
      const url = `/v1/scorecard?from=${new Date(t0).toISOString()}&to=${new Date(t0 + 24 * HOUR).toISOString()}`;
      const res = await waitFor(
        async () => (await app.inject({ method: 'GET', url, headers: KEYS.reader })).json(),
        (b) => b.recommendations === 2 && b.failures === 1,
      );
      expect(res).toMatchObject({ devices: 2, caught: 1, falseRecommendations: 1, falseByType: { drain_node: 1 } });
      expect(res.summary[0]).toBe('faults caught before failure: 1 of 1 (100.0 %)');
    } finally {
      await app.close();
    }
  });
});
