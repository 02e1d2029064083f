/**
 * Evaluation data from any source, in one shape: per entity a raw series (the model's raw fields), 0/1 row
 * labels, the failure time when known, and labelled fault spans in ms.
 *   csv:<path>  labels from a label column; failures from run-to-failure data (each entity's last record)
 *   sim         the fleet simulator with injected faults (ground truth from its fault plan)
 *   questdb     gpu_metrics over [from, to) and the fault_labels table
 * For simulated and stored fleets a device is evaluated until (not including) its first own failure (the fault predictor and TTF
 * metrics take one failure per device; later rows follow a repair).
 */

import type { Config } from '../../src/config.js';
import { AppError } from '../../src/errors.js';
import { rawFields } from '../../src/features/derived.js';
import type { ColumnSummary, ModelMetadata } from '../../src/features/model-metadata.js';
import type { Series } from '../../src/features/windows.js';
import type { FaultLabel } from '../../src/telemetry/catalogue.js';
import { cleanDataset } from '../data/clean.js';
import { type CsvOptions, loadCsv } from '../data/csv.js';
import { paddedNote, padShort } from '../data/pad.js';
import { splitDataset } from '../data/split.js';
import { labelSpansFor } from '../datasets/label-spans.js';
import type { Interval } from '../metrics/intervals.js';
import { type TrueRul, trueRulOf } from './true-rul.js';

export interface LabelledEvent extends Interval {
  readonly kind?: string;
  /**
   * The fault label this span comes from. A rack-wide facility incident is one label seen on every GPU of the rack:
   * event recall counts it once, found when any of those GPUs' detections overlaps it.
   */
  readonly label?: string;
}

export interface EvalEntity {
  readonly entity: string;
  /** CSV: the entity this segment was cut from at a gap (training/data/types.ts); detection joins them. */
  readonly segmentOf?: string;
  readonly series: Series;
  readonly labels?: Uint8Array;
  readonly failureTs?: number;
  /** Labelled fault spans, epoch ms, inclusive; `kind` is the fault type when the source knows it. */
  readonly events: readonly LabelledEvent[];
}

export interface EvalInput {
  /** `csv:<path>`, `sim` or `questdb`. */
  readonly source: string;
  readonly samplePeriodMs: number;
  readonly entities: readonly EvalEntity[];
  readonly rows: number;
  /** Whether any labelled event or failure is in the data (metrics need them). */
  readonly labelled: boolean;
  /** Labelled fault events in the data (a rack-wide incident once): what promotion's evidence rule counts. */
  readonly labelledEvents: number;
  readonly notes: readonly string[];
  /** CSV sources: each feature column as read (training/data/describe.ts). */
  readonly columns?: readonly ColumnSummary[];
}

export interface SourceOptions {
  readonly csv?: CsvOptions;
  /** CSV: evaluate every row, or only the test part of the split training recorded in model.json. */
  readonly split?: 'all' | 'test';
  /** CSV of entities that stop before failure: their true RUL at the last row (training/evaluate/true-rul.ts). */
  readonly trueRul?: TrueRul;
  readonly sim?: {
    readonly seed?: number;
    readonly gpus?: number;
    readonly hours?: number;
    readonly start?: number;
    /** Injected faults per GPU per day (default 0.25: enough in a small fleet to measure recall). */
    readonly faultsPerGpuDay?: number;
  };
  readonly questdb?: { readonly config: Config['questdb']; readonly from: number; readonly to: number };
}

/** The split fractions training recorded in model.json (absent in older models: 70/15/15). */
export function trainedSplit(meta: ModelMetadata): { train: number; validation: number; test: number } {
  const h = meta.training.hyperparameters;
  const num = (k: string, d: number) => (typeof h[k] === 'number' ? (h[k] as number) : d);
  return { train: num('splitTrain', 0.7), validation: num('splitValidation', 0.15), test: num('splitTest', 0.15) };
}

async function fromCsv(path: string, meta: ModelMetadata, o: SourceOptions): Promise<EvalInput> {
  const fields = rawFields(meta.features);
  const ds = await loadCsv(path, { ...o.csv, features: o.csv?.features ?? fields });
  // Keep every column (the model needs its features even if this file holds them constant). A remaining-useful-life
  // model answers for an entity shorter than its window, padded as `score` pads it; other families need a window.
  const ttf = meta.family === 'ttf';
  const { dataset, report } = cleanDataset(ds, { dropConstant: false, minRows: ttf ? 1 : meta.windowLength });
  // The same split training makes (training/datasets/windows.ts): whole units for run-to-failure data, else
  // time per entity with a one-window gap between parts.
  // The fractions are model.json's (recorded since training records its split), else the old 70/15/15 default.
  const parts =
    o.split === 'test'
      ? splitDataset(dataset, {
          ...trainedSplit(meta),
          by: dataset.runToFailure ? 'entity' : 'time',
          gapRows: dataset.runToFailure ? 0 : meta.windowLength,
        }).test
      : dataset.entities;
  if (parts.length === 0) {
    throw new AppError(
      'VALIDATION_FAILED',
      'the model was trained without a test part (its split has test 0): evaluate all rows of a file training did not see',
    );
  }
  if (o.trueRul && dataset.runToFailure) {
    throw new AppError(
      'VALIDATION_FAILED',
      '--true-rul is for entities that stop before failure; drop --run-to-failure',
    );
  }
  // Matched to the file's entities as read (cleaning may drop one shorter than the window).
  const names = ds.entities.map((e) => e.entity);
  const rul = o.trueRul ? new Map(trueRulOf(names, o.trueRul).map((v, k) => [names[k], v])) : undefined;
  const { entities: scored, padded } = ttf
    ? padShort(parts, meta.windowLength, dataset.samplePeriodMs)
    : { entities: parts, padded: new Map<string, number>() };
  const entities = scored.map((e) => {
    // With a true RUL, the failure lies that many steps after the entity's last row.
    const steps = rul?.get(e.entity);
    const failureTs =
      steps !== undefined ? e.series.ts[e.series.ts.length - 1] + steps * dataset.samplePeriodMs : e.failureTs;
    const events: Interval[] = [];
    if (e.labels) {
      let start = -1;
      for (let i = 0; i <= e.labels.length; i++) {
        const on = i < e.labels.length && e.labels[i] === 1;
        if (on && start < 0) start = i;
        if (!on && start >= 0) {
          events.push({ start: e.series.ts[start], end: e.series.ts[i - 1] });
          start = -1;
        }
      }
    }
    return { entity: e.entity, segmentOf: e.segmentOf, series: e.series, labels: e.labels, failureTs, events };
  });
  const notes = [...report.warnings];
  if (rul) notes.push(`true RUL of ${rul.size} entities from --true-rul (failure = last row + RUL steps)`);
  if (padded.size > 0)
    notes.push(
      paddedNote(
        Array.from(padded, ([entity, rows]) => `${entity} (${rows} rows)`),
        meta.windowLength,
      ),
    );
  if (report.duplicatesDropped + report.rowsInserted + report.rowsDropped > 0) {
    notes.push(
      `cleaning: ${report.duplicatesDropped} duplicate(s) dropped, ${report.rowsInserted} row(s) filled, ${report.rowsDropped} dropped, ${report.gapsSplit} gap(s) split`,
    );
  }
  return {
    source: `csv:${path}`,
    columns: ds.source.columns,
    samplePeriodMs: dataset.samplePeriodMs,
    entities,
    rows: entities.reduce((s, e) => s + e.series.ts.length, 0),
    labelled: dataset.labelColumn !== undefined || dataset.runToFailure || rul !== undefined,
    labelledEvents: entities.reduce((n, e) => n + e.events.length + (e.events.length === 0 && e.failureTs ? 1 : 0), 0),
    notes,
  };
}

/**
 * Series and fault labels of a fleet → entities, each cut at its first own failure. Labels count for a device
 * as training counts them (training/datasets/entities.ts): its own faults, stragglers on it, and facility
 * incidents of its rack (`rackOf`).
 */
export function fromFleet(
  source: string,
  series: Map<string, Series>,
  labels: readonly FaultLabel[],
  samplePeriodMs: number,
  rackOf: (device: string) => string | undefined = () => undefined,
): EvalInput {
  const entities: EvalEntity[] = [];
  for (const [device, s] of series) {
    const all = labelSpansFor(device, rackOf(device), labels);
    const failureTs = all
      .filter((e) => e.failure)
      .reduce<number | undefined>((m, e) => (m === undefined || e.end < m ? e.end : m), undefined);
    let n = s.ts.length;
    if (failureTs !== undefined) {
      n = 0;
      // Rows before the failure: the failure's own row already shows the failed, drained device (a CSV
      // run-to-failure unit instead ends ON its failure row, the usual RUL convention).
      while (n < s.ts.length && s.ts[n] < failureTs) n++;
    }
    const w = s.features.length;
    const ts = s.ts.slice(0, n);
    const last = ts[n - 1] ?? Number.NEGATIVE_INFINITY;
    const events = all
      .filter((e) => e.start <= last)
      .map(({ start, end, kind, label }) => ({ start, end, kind, label }));
    const rowLabels = Uint8Array.from(ts, (t) => (events.some((e) => t >= e.start && t <= e.end) ? 1 : 0));
    entities.push({
      entity: device,
      series: { ts, values: s.values.slice(0, n * w), features: s.features },
      labels: rowLabels,
      failureTs,
      events,
    });
  }
  const labelledEvents = new Set(entities.flatMap((e) => e.events.map((ev, i) => ev.label ?? `${e.entity}#${i}`))).size;
  return {
    source,
    samplePeriodMs,
    entities,
    rows: entities.reduce((a, e) => a + e.series.ts.length, 0),
    // A fleet (simulated or stored) is labelled only when fault labels reach it: without them the event metrics
    // have nothing to measure.
    labelled: labelledEvents > 0,
    labelledEvents,
    notes: [
      `${labels.length} labelled fault(s) (facility incidents count for every GPU of the rack, stragglers for their GPU); devices evaluated up to their first failure`,
    ],
  };
}

async function fromSim(meta: ModelMetadata, o: SourceOptions): Promise<EvalInput> {
  const { fleetTopology, simulateSeries, SAMPLE_PERIOD_MS } = await import('../../datasets/simulator/index.js');
  const sim = o.sim ?? {};
  const samplePeriodMs = meta.samplePeriodMs || SAMPLE_PERIOD_MS;
  const opts = {
    seed: sim.seed ?? 7,
    gpus: sim.gpus ?? 32,
    hours: sim.hours ?? 24,
    start: sim.start ?? Date.UTC(2026, 0, 1),
    samplePeriodMs,
    faultsPerGpuDay: sim.faultsPerGpuDay ?? 0.25,
  };
  const out = simulateSeries(opts, rawFields(meta.features));
  const rackOf = new Map(fleetTopology(opts).gpus.map((g) => [g.device, g.rack]));
  return fromFleet('sim', out.series, out.labels, samplePeriodMs, (d) => rackOf.get(d));
}

async function fromQuestdb(meta: ModelMetadata, o: SourceOptions): Promise<EvalInput> {
  if (!o.questdb) throw new AppError('VALIDATION_FAILED', 'source questdb needs --from and --to');
  const { TelemetryReader } = await import('../../src/telemetry/reader.js');
  const reader = TelemetryReader.connect(o.questdb.config);
  try {
    const { from, to } = o.questdb;
    const series = await reader.gpuSeries({
      from,
      to,
      fields: rawFields(meta.features),
      samplePeriodMs: meta.samplePeriodMs,
    });
    if (series.size === 0)
      throw new AppError(
        'NO_DATA',
        `no gpu_metrics between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}`,
      );
    // The racks of the devices read, over the same range (the whole device history is a long scan).
    const rackOf = new Map((await reader.listDevices({ from, to })).map((d) => [d.device, d.rack]));
    const labels = await reader.faultLabels({ from, to });
    return fromFleet('questdb', series, labels, meta.samplePeriodMs, (d) => rackOf.get(d));
  } finally {
    await reader.close();
  }
}

/** `sim`, `questdb` or `csv:<path>`. */
export async function loadEvalInput(spec: string, meta: ModelMetadata, opts: SourceOptions = {}): Promise<EvalInput> {
  if (spec.startsWith('csv:') && spec.length > 4) return fromCsv(spec.slice(4), meta, opts);
  if (spec === 'sim') return fromSim(meta, opts);
  if (spec === 'questdb') return fromQuestdb(meta, opts);
  throw new AppError('VALIDATION_FAILED', `unknown source "${spec}": use sim, questdb or csv:<path>`, { source: spec });
}
