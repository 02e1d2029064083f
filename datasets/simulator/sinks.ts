/**
 * Where a simulated run goes: QuestDB (through the product's TelemetryWriter) or a folder of CSV files.
 * Both take the same progress callback so the command line can draw one bar for either.
 */
import { join } from 'node:path';
import type { FaultLabel, TelemetryRow, TelemetryTable } from '../../src/telemetry/catalogue.js';
import { openCsvTables, writeLabelsCsv } from './csv.js';
import { faultPlan } from './faults.js';
import { partSteps, type RunPart, simulateFleet } from './fleet.js';
import { resolveOptions, type SimOptions } from './options.js';

/** The part of TelemetryWriter a backfill needs (kept structural so tests can pass a fake). */
export interface TelemetrySink {
  write(table: TelemetryTable, rows: readonly TelemetryRow[]): Promise<void>;
  writeLabels(labels: readonly FaultLabel[]): Promise<void>;
  flush(): Promise<void>;
}

/** Called after each simulated step with steps done and steps in all. */
export type Progress = (done: number, total: number) => void;

export interface RunSummary {
  readonly steps: number;
  readonly gpuRows: number;
  readonly facilityRows: number;
  readonly jobRows: number;
  readonly labels: readonly FaultLabel[];
}

/**
 * Write a run (or the part of it before `part.to`) through the writer as fast as its back-pressure allows, then the
 * labels of the faults that failed in it (a fault still in progress at `part.to` is labelled by whoever writes the
 * rest of the run: the store never holds ground truth about its future); flushes at the end.
 */
export async function backfill(
  sink: TelemetrySink,
  opts: SimOptions,
  progress?: Progress,
  part: RunPart = {},
): Promise<RunSummary> {
  const o = resolveOptions(opts);
  const total = partSteps(o, part).count;
  let gpuRows = 0;
  let facilityRows = 0;
  let jobRows = 0;
  let k = 0;
  for (const step of simulateFleet(o, part)) {
    await sink.write('gpu_metrics', step.gpu);
    await sink.write('facility_metrics', step.facility);
    if (step.jobs.length > 0) await sink.write('job_metrics', step.jobs);
    gpuRows += step.gpu.length;
    facilityRows += step.facility.length;
    jobRows += step.jobs.length;
    k++;
    progress?.(k, total);
  }
  const labels = faultPlan(o).filter((l) => inPart(l.failureTs, part));
  if (labels.length > 0) await sink.writeLabels(labels);
  await sink.flush();
  return { steps: k, gpuRows, facilityRows, jobRows, labels };
}

/** A failure at `ts` belongs to the part that streams or backfills it. */
export function inPart(ts: number, part: RunPart): boolean {
  return (part.from === undefined || ts >= part.from) && (part.to === undefined || ts < part.to);
}

/** Write a whole run as gpu_metrics.csv, facility_metrics.csv, job_metrics.csv and fault_labels.csv in `dir`. */
export async function writeCsvRun(dir: string, opts: SimOptions, progress?: Progress): Promise<RunSummary> {
  const o = resolveOptions(opts);
  const tables = await openCsvTables(dir);
  let k = 0;
  try {
    for (const step of simulateFleet(o)) {
      await tables.gpu_metrics.write(step.gpu);
      await tables.facility_metrics.write(step.facility);
      await tables.job_metrics.write(step.jobs);
      k++;
      progress?.(k, o.steps);
    }
  } finally {
    await Promise.all(Object.values(tables).map((t) => t.close()));
  }
  const labels = faultPlan(o);
  await writeLabelsCsv(join(dir, 'fault_labels.csv'), labels);
  return {
    steps: k,
    gpuRows: tables.gpu_metrics.rows,
    facilityRows: tables.facility_metrics.rows,
    jobRows: tables.job_metrics.rows,
    labels,
  };
}
