/**
 * The one shape every data source is turned into before windows are cut: per entity (device, unit), its raw
 * series, a status code per row and the failure moments. Fault labels (simulator, QuestDB `fault_labels`), CSV
 * label columns and run-to-failure files all become this, so the window and label code has one input.
 *
 * Row status (`labels` of the EntitySeries, so the eval engineer's time split slices it along):
 *   0 healthy · 1 symptomatic (between a fault's onset and its failure, or a facility incident on the device's
 *   rack) · 2 down (failed, drained, being repaired: not representative of anything, left out of training).
 */
import type { DataSource } from '../../src/features/model-metadata.js';
import type { Series } from '../../src/features/windows.js';
import type { FaultLabel, TelemetryRow } from '../../src/telemetry/catalogue.js';
import type { EntitySeries } from '../data/types.js';
import { labelSpansFor } from './label-spans.js';

export const ROW_HEALTHY = 0;
export const ROW_SYMPTOM = 1;
export const ROW_DOWN = 2;

export interface TrainingEntity extends EntitySeries {
  /** Row status codes (see above), always present. */
  readonly labels: Uint8Array;
  /** Epoch ms of each failure of this entity, ascending. */
  readonly failures: readonly number[];
}

export interface TrainingData {
  readonly source: DataSource;
  readonly samplePeriodMs: number;
  /** Raw fields present in every entity's series. */
  readonly fields: readonly string[];
  readonly entities: readonly TrainingEntity[];
  /** Whole entities end in failure (split by entity, TTF targets given per row). */
  readonly runToFailure: boolean;
  /** job_metrics rows, for the throughput model. */
  readonly jobs?: readonly TelemetryRow[];
}

export interface FromLabelsOptions {
  /** A failed GPU is out of service this long after failureTs. @defaultValue 30 min */
  readonly downMs?: number;
  /** A facility incident keeps affecting its rack this long after its peak. @defaultValue 15 min */
  readonly facilityRecoveryMs?: number;
  /** Rack of a device, to apply facility incidents to the GPUs they heat. */
  readonly rackOf?: (device: string) => string | undefined;
}

const MIN = 60_000;

function mark(codes: Uint8Array, ts: Float64Array, from: number, to: number, code: number): void {
  // ts is ascending: find the first row >= from, mark while < to; a higher code wins.
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid] < from) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < ts.length && ts[i] < to; i++) if (codes[i] < code) codes[i] = code;
}

/** Entities from per-device series plus fault labels; which labels concern a device: label-spans.ts. */
export function entitiesFromFaultLabels(
  series: ReadonlyMap<string, Series>,
  labels: readonly FaultLabel[],
  opts: FromLabelsOptions = {},
): TrainingEntity[] {
  const downMs = opts.downMs ?? 30 * MIN;
  const out: TrainingEntity[] = [];
  for (const [device, s] of series) {
    const codes = new Uint8Array(s.ts.length);
    const failures: number[] = [];
    for (const span of labelSpansFor(device, opts.rackOf?.(device), labels, opts.facilityRecoveryMs)) {
      mark(codes, s.ts, span.start, span.end, ROW_SYMPTOM);
      if (span.down) mark(codes, s.ts, span.end, span.end + downMs, ROW_DOWN);
      if (span.failure) failures.push(span.end);
    }
    out.push({ entity: device, series: s, labels: codes, failures: failures.sort((a, b) => a - b) });
  }
  return out;
}

/**
 * Entities from CSV data: a 0/1 label column marks symptomatic rows, and the start of each labelled run counts
 * as the event a fault predictor should see coming. Run-to-failure entities fail at their last row.
 */
export function entitiesFromCsv(entities: readonly EntitySeries[]): TrainingEntity[] {
  return entities.map((e) => {
    const n = e.series.ts.length;
    const codes = new Uint8Array(n);
    const failures: number[] = [];
    if (e.labels) {
      for (let i = 0; i < n; i++) {
        if (e.labels[i] > 0) {
          codes[i] = ROW_SYMPTOM;
          if (i === 0 || e.labels[i - 1] === 0) failures.push(e.series.ts[i]);
        }
      }
    }
    if (e.failureTs !== undefined) failures.push(e.failureTs);
    return { ...e, labels: codes, failures: [...new Set(failures)].sort((a, b) => a - b) };
  });
}
