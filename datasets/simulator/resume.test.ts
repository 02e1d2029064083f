/**
 * A backfill up to T and a stream resumed at T are one run: the stream's rows are exactly the rows an uninterrupted
 * run gives from T on (so no counter, temperature or job steps at the seam), and every fault is labelled once, by
 * the part its failure falls in.
 */
import { describe, expect, it } from 'vitest';
import type { FaultLabel, TelemetryRow, TelemetryTable } from '../../src/telemetry/catalogue.js';
import { faultPlan } from './faults.js';
import { simulateFleet } from './fleet.js';
import { backfill, type TelemetrySink } from './sinks.js';
import { streamLive } from './stream.js';

class MemorySink implements TelemetrySink {
  rows: Record<string, TelemetryRow[]> = { gpu_metrics: [], facility_metrics: [], job_metrics: [] };
  labels: FaultLabel[] = [];
  async write(table: TelemetryTable, rows: readonly TelemetryRow[]) {
    this.rows[table].push(...rows);
  }
  async writeLabels(labels: readonly FaultLabel[]) {
    this.labels.push(...labels);
  }
  async flush() {}
}

const PERIOD = 10_000;
const opts = { seed: 11, gpus: 32, start: Date.UTC(2026, 2, 1), hours: 8, faultsPerGpuDay: 1 };
const seam = opts.start + 4 * 3_600_000;
const SEAM_STEPS = 60; // ten minutes after the seam

async function resumedStream(o: typeof opts, resumeAt: number) {
  const sink = new MemorySink();
  const ctl = new AbortController();
  let clock = 5_000_000;
  await streamLive(sink, o, {
    rate: 1000,
    resumeAt,
    signal: ctl.signal,
    now: () => (clock += 1),
    progress: (done) => {
      if (done === SEAM_STEPS) ctl.abort();
    },
  });
  return sink;
}

const valuesOf = (rows: readonly TelemetryRow[]) => rows.map((r) => ({ symbols: r.symbols, values: r.values }));

describe('backfill --until, then stream --resume', () => {
  it('continues the same fleet: the stream is the uninterrupted run from the seam on', async () => {
    const before = new MemorySink();
    const summary = await backfill(before, opts, undefined, { to: seam });
    expect(summary.steps).toBe((seam - opts.start) / PERIOD);
    expect(Math.max(...before.rows.gpu_metrics.map((r) => r.ts))).toBe(seam - PERIOD);

    const after = await resumedStream(opts, seam);
    const continuous = [...simulateFleet(opts, { from: seam })].slice(0, SEAM_STEPS);
    expect(valuesOf(after.rows.gpu_metrics)).toEqual(valuesOf(continuous.flatMap((s) => s.gpu)));
    expect(valuesOf(after.rows.facility_metrics)).toEqual(valuesOf(continuous.flatMap((s) => s.facility)));
    expect(valuesOf(after.rows.job_metrics)).toEqual(valuesOf(continuous.flatMap((s) => s.jobs)));

    // At the seam itself: the last backfilled and the first streamed sample of each GPU are neighbours of one
    // series: the same job, counters that never go back, temperatures within a normal step.
    const last = before.rows.gpu_metrics.slice(-opts.gpus);
    const first = after.rows.gpu_metrics.slice(0, opts.gpus);
    for (const [g, a] of last.entries()) {
      const b = first[g];
      expect(b.symbols).toEqual(a.symbols);
      for (const counter of ['ecc_sbe_volatile', 'nvlink_crc_errors', 'pcie_replay_count', 'xid_count'])
        expect(b.values[counter]).toBeGreaterThanOrEqual(a.values[counter] ?? 0);
      expect(Math.abs((b.values.gpu_temp_c ?? 0) - (a.values.gpu_temp_c ?? 0))).toBeLessThan(5);
    }
  });

  it('a stream of a different seed (the old quick start) steps at the seam: the check above can fail', async () => {
    const before = new MemorySink();
    await backfill(before, opts, undefined, { to: seam });
    const other = await resumedStream({ ...opts, seed: opts.seed + 1 }, seam);
    const last = before.rows.gpu_metrics.slice(-opts.gpus);
    const first = other.rows.gpu_metrics.slice(0, opts.gpus);
    const jumps = last.filter(
      (a, g) =>
        JSON.stringify(a.symbols) !== JSON.stringify(first[g].symbols) ||
        Math.abs((first[g].values.gpu_temp_c ?? 0) - (a.values.gpu_temp_c ?? 0)) >= 5 ||
        (first[g].values.ecc_sbe_volatile ?? 0) < (a.values.ecc_sbe_volatile ?? 0),
    );
    expect(jumps.length).toBeGreaterThan(0);
  });

  it('labels every fault once: the backfill those failed before the seam, the stream those after', async () => {
    const before = new MemorySink();
    await backfill(before, opts, undefined, { to: seam });
    const sink = new MemorySink();
    const ctl = new AbortController();
    let clock = 9_000_000;
    await streamLive(sink, opts, { rate: 1000, resumeAt: seam, signal: ctl.signal, now: () => (clock += 1) });
    const plan = faultPlan(opts);
    expect(plan.some((l) => l.failureTs < seam) && plan.some((l) => l.failureTs >= seam)).toBe(true);
    expect(before.labels).toEqual(plan.filter((l) => l.failureTs < seam));
    const key = (l: FaultLabel) => `${l.device} ${l.faultType}`;
    expect(sink.labels.map(key).sort()).toEqual(
      plan
        .filter((l) => l.failureTs >= seam)
        .map(key)
        .sort(),
    );
    // The stream's clock starts at the seam: a failure 30 simulated minutes after it is 180 steps (ms here) later.
    const f = plan.find((l) => l.failureTs >= seam)!;
    const streamed = sink.labels.find((l) => l.device === f.device && l.faultType === f.faultType)!;
    expect(streamed.failureTs - 9_000_001).toBe((f.failureTs - seam) / PERIOD);
  });
});
