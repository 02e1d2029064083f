/**
 * Where training data comes from: `sim` (the in-memory fleet simulator; fast, labelled), `questdb` (the
 * telemetry store, with fault_labels) or `csv:<path>` (any schema, through the eval engineer's loader and
 * cleaner). Each becomes a TrainingData with a sha256 of exactly the rows read, so a model version names its data.
 */
import { createHash } from 'node:crypto';
import { fleetTopology, REPAIR_MS, SAMPLE_PERIOD_MS, simulateSeries } from '../../datasets/simulator/index.js';
import type { Config } from '../../src/config.js';
import { AppError } from '../../src/errors.js';
import type { DataSource } from '../../src/features/model-metadata.js';
import type { Series } from '../../src/features/windows.js';
import type { FaultLabel, TelemetryRow } from '../../src/telemetry/catalogue.js';
import { TelemetryReader } from '../../src/telemetry/reader.js';
import { cleanDataset } from '../data/clean.js';
import { type CsvOptions, loadCsv } from '../data/csv.js';
import { paddedNote, padShort } from '../data/pad.js';
import { entitiesFromCsv, entitiesFromFaultLabels, type TrainingData } from './entities.js';

export interface SimSource {
  readonly kind: 'sim';
  readonly seed: number;
  readonly gpus: number;
  readonly hours: number;
  /** Epoch ms of the first sample. */
  readonly start: number;
  readonly faultsPerGpuDay?: number;
}
export interface QuestDbSource {
  readonly kind: 'questdb';
  readonly from: number;
  readonly to: number;
  readonly devices?: readonly string[];
  readonly samplePeriodMs?: number;
  readonly config: Config['questdb'];
}
export interface CsvSource {
  readonly kind: 'csv';
  readonly path: string;
  readonly options?: CsvOptions;
}
export type SourceSpec = SimSource | QuestDbSource | CsvSource;

export interface LoadOptions {
  /** Raw fields to read for the window models (ignored for CSV, which has its own columns). */
  readonly fields: readonly string[];
  /** Whether job rows are needed (throughput model). */
  readonly jobs?: boolean;
  readonly log?: { warn(obj: object, msg: string): void };
}

/** sha256 over the series (timestamps and values, entity by entity), labels and job rows as read. */
export function hashData(
  series: Iterable<[string, Series]>,
  labels: readonly FaultLabel[],
  jobs: readonly TelemetryRow[] = [],
) {
  const h = createHash('sha256');
  let rows = 0;
  for (const [entity, s] of series) {
    h.update(entity);
    h.update(s.features.join(','));
    h.update(new Uint8Array(s.ts.buffer, s.ts.byteOffset, s.ts.byteLength));
    h.update(new Uint8Array(s.values.buffer, s.values.byteOffset, s.values.byteLength));
    rows += s.ts.length;
  }
  h.update(JSON.stringify(labels));
  for (const j of jobs) h.update(JSON.stringify(j));
  return { sha256: h.digest('hex'), rows: rows + jobs.length };
}

const iso = (ms: number) => new Date(ms).toISOString();

async function fromSim(spec: SimSource, o: LoadOptions): Promise<TrainingData> {
  const opts = {
    seed: spec.seed,
    gpus: spec.gpus,
    start: spec.start,
    hours: spec.hours,
    faultsPerGpuDay: spec.faultsPerGpuDay,
  };
  const sim = simulateSeries(opts, o.fields);
  const rackOf = new Map(fleetTopology(opts).gpus.map((g) => [g.device, g.rack]));
  const jobs = o.jobs ? sim.jobs : [];
  const { sha256, rows } = hashData(sim.series, sim.labels, jobs);
  const end = spec.start + spec.hours * 3_600_000;
  const source: DataSource = {
    kind: `sim:seed=${spec.seed},gpus=${spec.gpus},hours=${spec.hours}`,
    from: iso(spec.start),
    to: iso(end),
    devices: sim.series.size,
    rows,
    sha256,
  };
  return {
    source,
    samplePeriodMs: SAMPLE_PERIOD_MS,
    fields: [...o.fields],
    entities: entitiesFromFaultLabels(sim.series, sim.labels, { downMs: REPAIR_MS, rackOf: (d) => rackOf.get(d) }),
    runToFailure: false,
    jobs,
  };
}

async function fromQuestDb(spec: QuestDbSource, o: LoadOptions): Promise<TrainingData> {
  const reader = TelemetryReader.connect(spec.config);
  try {
    const samplePeriodMs = spec.samplePeriodMs ?? SAMPLE_PERIOD_MS;
    // A throughput model reads job rows only (no GPU fields): no gpu_metrics, fault labels or racks to read.
    const gpus = o.fields.length > 0;
    const series = gpus
      ? await reader.gpuSeries({
          from: spec.from,
          to: spec.to,
          fields: o.fields,
          samplePeriodMs,
          devices: spec.devices,
        })
      : new Map();
    if (series.size === 0 && !o.jobs) {
      throw new AppError('NO_DATA', `no gpu_metrics between ${iso(spec.from)} and ${iso(spec.to)}`);
    }
    const labels = gpus ? await reader.faultLabels({ from: spec.from, to: spec.to }) : [];
    // The racks of the devices read, over the same range (the whole device history is a long scan).
    const devices = gpus ? await reader.listDevices({ from: spec.from, to: spec.to }) : [];
    const rackOf = new Map(devices.map((d) => [d.device, d.rack]));
    const jobs = o.jobs ? await reader.jobRows({ from: spec.from, to: spec.to }) : [];
    const { sha256, rows } = hashData(series, labels, jobs);
    return {
      source: { kind: 'questdb', from: iso(spec.from), to: iso(spec.to), devices: series.size, rows, sha256 },
      samplePeriodMs,
      fields: [...o.fields],
      entities: entitiesFromFaultLabels(series, labels, { rackOf: (d) => rackOf.get(d) }),
      runToFailure: false,
      jobs,
    };
  } finally {
    await reader.close();
  }
}

async function fromCsv(spec: CsvSource, o: LoadOptions): Promise<TrainingData> {
  const window = spec.options?.minRows ?? 1;
  const runToFailure = spec.options?.runToFailure === true;
  // A run-to-failure entity shorter than the window is padded below (as score and evaluate pad one), not refused.
  const loaded = await loadCsv(spec.path, {
    ...spec.options,
    minRows: runToFailure ? undefined : spec.options?.minRows,
  });
  // Run-to-failure data (remaining useful life) also loses near-constant columns: no trend to learn from them.
  // Time-split data: a segment left by a long gap must hold a window on each side of the split's two gaps, so
  // shorter ones are dropped (with a warning) rather than failing the run.
  const { dataset } = cleanDataset(
    loaded,
    runToFailure ? { nearConstantShare: 0.95 } : { minRows: window > 1 ? 3 * window + 3 : 1 },
    o.log,
  );
  const { entities, padded } = runToFailure
    ? padShort(dataset.entities, window, dataset.samplePeriodMs)
    : { entities: dataset.entities, padded: new Map<string, number>() };
  const short = [...padded.keys()];
  if (short.length > 0) o.log?.warn({ entities: short, window }, paddedNote(short, window));
  return {
    source: dataset.source,
    samplePeriodMs: dataset.samplePeriodMs,
    fields: dataset.features,
    entities: entitiesFromCsv(entities),
    runToFailure: dataset.runToFailure,
  };
}

export function loadTrainingData(spec: SourceSpec, o: LoadOptions): Promise<TrainingData> {
  switch (spec.kind) {
    case 'sim':
      return fromSim(spec, o);
    case 'questdb':
      return fromQuestDb(spec, o);
    case 'csv':
      return fromCsv(spec, o);
  }
}
