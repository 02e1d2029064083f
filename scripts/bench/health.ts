/**
 * Health bench, in one run on the local QuestDB and Redis: how fast the GPU health API answers for a fleet of
 * `--health-gpus` GPUs (4,096: 4 clusters × 128 nodes × 8 GPUs) with `--health-minutes` of 10 s telemetry each
 * (30), one anomaly score and one fault prediction per GPU; 5 % of the GPUs anomalous, as many with a high fault
 * probability, and a few with XIDs and ECC errors.
 * The fleet is written at a time of its own (`at` in 2041, a random minute) so the whole-fleet call sees only it.
 * Candidates: the whole fleet (GET /v1/health/gpus), one cluster, the fleet score (uncached snapshot), one GPU.
 * Each: 2 warm-up calls, then `--health-reps` timed calls through `app.inject` (the full HTTP stack minus the
 * socket); median and p90.
 */
import { randomUUID } from 'node:crypto';
import { buildApp } from '../../src/api/app.js';
import { loadConfig } from '../../src/config.js';
import type { TableRow } from '../../src/telemetry/writer.js';
import type { BenchContext, BenchReport } from './types.js';

const FLAGGED = 0.05;
const CLUSTERS = 4;
const PER_NODE = 8;

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))];

export async function run({ sizes }: BenchContext): Promise<BenchReport> {
  const GPUS = sizes.healthGpus;
  const MINUTES = sizes.healthMinutes;
  const REPS = sizes.healthReps;
  const tag = `bh${randomUUID().slice(0, 6)}`;
  const at = Date.UTC(2041, 0, 1) + Math.floor(Math.random() * 300 * 24 * 60) * 60_000;
  const app = await buildApp({
    config: loadConfig({ ...process.env, HEALTH_RECORD_EVERY_S: '0', API_ANONYMOUS_ROLE: 'reader', QUEUE_PREFIX: tag }),
    logger: false,
  });
  await app.ready();
  try {
    const nodes = GPUS / PER_NODE;
    const devices: { cluster: string; rack: string; node: string; gpu: string }[] = [];
    for (let i = 0; i < nodes; i++) {
      const cluster = `${tag}-c${i % CLUSTERS}`;
      const rack = `${cluster}-r${Math.floor(i / CLUSTERS / 16)}`;
      for (let g = 0; g < PER_NODE; g++) devices.push({ cluster, rack, node: `${tag}-n${i}`, gpu: String(g) });
    }
    const started = performance.now();
    const steps = (MINUTES * 60) / 10;
    for (let s = 0; s < steps; s++) {
      const ts = at - (steps - s) * 10_000;
      const rows: TableRow[] = devices.map((d, i) => ({
        ts,
        symbols: { ...d, gpu_model: 'H100' },
        doubles: { gpu_temp_c: 60 + (i % 20) },
        longs: {
          ecc_sbe_volatile: i % 97 === 0 ? s * 5 : 0,
          ecc_dbe_volatile: i % 501 === 0 ? 1 : 0,
          remapped_rows_pending: 0,
          xid_count: i % 211 === 0 && s === steps - 1 ? 1 : 0,
          xid_last: i % 211 === 0 && s === steps - 1 ? 79 : 0,
        },
      }));
      await app.writer.writeRows('gpu_metrics', rows);
    }
    // Disjoint GPU sets per kind of finding: a share FLAGGED of the fleet each.
    const flagged = (i: number, kind: number) => (i * 7919 + kind * 104729) % 1000 < FLAGGED * 1000;
    const place = (d: (typeof devices)[number]) => ({ device: `${d.node}/${d.gpu}`, cluster: d.cluster, rack: d.rack });
    await app.writer.writeRows(
      'anomaly_scores',
      devices.map((d, i) => ({
        ts: at - 60_000,
        symbols: { ...place(d), model: 'anomaly', model_version: 'bench' },
        doubles: { score: flagged(i, 1) ? 1.5 : 0.4, threshold: 1 },
        longs: { anomalous: flagged(i, 1) ? 1 : 0 },
        strings: { top_features: JSON.stringify([{ name: 'gpu_temp_c', contribution: 1 }]) },
      })),
    );
    await app.writer.writeRows(
      'fault_predictions',
      devices.map((d, i) => ({
        ts: at - 60_000,
        symbols: { ...place(d), model: 'fault', model_version: 'bench' },
        doubles: { probability: flagged(i, 2) ? 0.8 : 0.05, ttf_ms: 3_600_000 },
        longs: { horizon_ms: 1_800_000 },
      })),
    );
    await app.writer.flush();
    const seededS = (performance.now() - started) / 1000;
    const url = (path: string) => `${path}${path.includes('?') ? '&' : '?'}at=${new Date(at).toISOString()}`;
    // WAL tables apply asynchronously: wait until the whole fleet is visible.
    for (let t = Date.now(); ; ) {
      const res = await app.inject({ method: 'GET', url: url('/v1/health/gpus') });
      if (res.statusCode === 200 && res.json().gpus.length >= GPUS) break;
      if (Date.now() - t > 120_000) throw new Error(`fleet not visible: ${res.statusCode} ${res.body.slice(0, 200)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const d0 = devices[0];
    const candidates: [string, string][] = [
      [`whole fleet (${GPUS} GPUs)`, url('/v1/health/gpus')],
      [`one cluster (${GPUS / CLUSTERS} GPUs)`, url(`/v1/health/gpus?cluster=${d0.cluster}`)],
      ['fleet score (uncached)', url('/v1/health/fleet')],
      ['one GPU', url(`/v1/health/gpus/${encodeURIComponent(`${d0.node}/${d0.gpu}`)}`)],
    ];
    const rows: Record<string, string | number>[] = [];
    for (const [name, u] of candidates) {
      const times: number[] = [];
      const cpu: number[] = [];
      let bytes = 0;
      for (let i = 0; i < REPS + 2; i++) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        const res = await app.inject({ method: 'GET', url: u });
        const ms = performance.now() - t0;
        const c = process.cpuUsage(c0);
        if (res.statusCode !== 200) throw new Error(`${name}: ${res.statusCode} ${res.body.slice(0, 200)}`);
        bytes = res.body.length;
        if (i >= 2) {
          times.push(ms);
          cpu.push((c.user + c.system) / 1000);
        }
      }
      rows.push({
        candidate: name,
        'median ms': Math.round(quantile(times, 0.5)),
        'p90 ms': Math.round(quantile(times, 0.9)),
        'API CPU ms (median)': Math.round(quantile(cpu, 0.5)),
        'response KiB': Math.round(bytes / 1024),
      });
      console.log(rows.at(-1));
    }
    const fleetMedian = Number(rows[0]['median ms']);
    return {
      suite: 'health',
      method:
        `${GPUS} GPUs (${CLUSTERS} clusters, ${PER_NODE} GPUs/node), ${MINUTES} min of 10 s gpu_metrics each ` +
        `(${(steps * GPUS).toLocaleString('en')} rows, seeded in ${seededS.toFixed(0)} s), one anomaly score and fault ` +
        `prediction per GPU, ${FLAGGED * 100} % of them flagged per kind; ${REPS} timed app.inject calls per candidate after 2 warm-ups; shared QuestDB and Redis. ` +
        `API CPU ms: user + system CPU of the API process per call (its own work, without waiting for QuestDB or ` +
        `for a CPU on a loaded machine; QuestDB's own execution time comes on top).`,
      rows,
      summary: { 'whole fleet median': `${fleetMedian} ms (target < 500 ms)` },
    };
  } finally {
    await app.close();
  }
}
