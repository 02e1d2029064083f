/**
 * Live streaming: the simulator paced by the wall clock, `rate` steps per second, rows stamped with the moment
 * they are emitted (at the default rate of one step per sample period the simulated and wall clocks agree).
 * Each fault label is written once its failure has been streamed, with its times on the same clock, so the
 * store never holds ground truth about the future. Stops at the end of the run or when `signal` aborts, then
 * flushes the sink.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultLabel, TelemetryRow } from '../../src/telemetry/catalogue.js';
import { faultPlan } from './faults.js';
import { partSteps, simulateFleet } from './fleet.js';
import { resolveOptions, type SimOptions } from './options.js';
import { inPart, type Progress, type RunSummary, type TelemetrySink } from './sinks.js';

export interface StreamOptions {
  /** Steps per second. */
  readonly rate: number;
  readonly signal: AbortSignal;
  readonly progress?: Progress;
  /** Wall clock, for tests. @defaultValue Date.now */
  readonly now?: () => number;
  /**
   * Continue the run from this simulated time (the end of its backfill): the steps before it are simulated but not
   * written, so the stream carries on the backfilled fleet in the state the backfill left it (the same jobs,
   * counters, temperatures and faults in progress), and only faults failing from here on are labelled.
   */
  readonly resumeAt?: number;
}

const restamp = (rows: readonly TelemetryRow[], ts: number): TelemetryRow[] =>
  rows.map((r) => ({ ts, symbols: r.symbols, values: r.values }));

export async function streamLive(sink: TelemetrySink, opts: SimOptions, s: StreamOptions): Promise<RunSummary> {
  const o = resolveOptions(opts);
  const now = s.now ?? Date.now;
  const stepMs = 1000 / s.rate;
  const part = { from: s.resumeAt };
  const { first, count: total } = partSteps(o, part);
  // Wall time of the first streamed step is "now"; every simulated time maps to the wall clock from there.
  const origin = o.start + first * o.samplePeriodMs;
  const wall0 = now();
  const toWall = (simTs: number) => Math.round(wall0 + ((simTs - origin) / o.samplePeriodMs) * stepMs);
  const pending = faultPlan(o)
    .filter((l) => inPart(l.failureTs, part))
    .sort((a, b) => a.failureTs - b.failureTs);
  const written: FaultLabel[] = [];
  let gpuRows = 0;
  let facilityRows = 0;
  let jobRows = 0;
  let k = 0;
  for (const step of simulateFleet(o, part)) {
    const due = wall0 + k * stepMs;
    const wait = due - now();
    if (wait > 0) await sleep(wait, undefined, { signal: s.signal }).catch(() => {});
    if (s.signal.aborted) break;
    const ts = Math.round(due);
    await sink.write('gpu_metrics', restamp(step.gpu, ts));
    await sink.write('facility_metrics', restamp(step.facility, ts));
    if (step.jobs.length > 0) await sink.write('job_metrics', restamp(step.jobs, ts));
    gpuRows += step.gpu.length;
    facilityRows += step.facility.length;
    jobRows += step.jobs.length;
    const happened: FaultLabel[] = [];
    while (pending.length > 0 && pending[0].failureTs <= step.ts) {
      const l = pending.shift()!;
      happened.push({ ...l, onsetTs: toWall(l.onsetTs), failureTs: toWall(l.failureTs) });
    }
    if (happened.length > 0) {
      await sink.writeLabels(happened);
      written.push(...happened);
    }
    k++;
    s.progress?.(k, total);
  }
  await sink.flush();
  return { steps: k, gpuRows, facilityRows, jobRows, labels: written };
}
