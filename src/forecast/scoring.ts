/**
 * Model scores for one shard, with the SAME code path as the scoring API: the active version of each served
 * window model (anomaly, fault, ttf) through the InferenceService, inputs built by src/features from the model's
 * own metadata (`latestWindow`), and raw outputs turned into scores, verdicts, alarms and times to failure by the
 * one outputs module (src/inference/model-outputs.ts). Returns the policy's inputs and the rows for
 * `anomaly_scores` and `fault_predictions`. A device whose output is not finite (inputs far out of range) is left
 * unscored and counted, never written as NaN.
 */
import { rawFields } from '../features/derived.js';
import { anomalyWindows, latestWindow } from '../features/model-inputs.js';
import type { ModelMetadata } from '../features/model-metadata.js';
import { nonFiniteFields, type Series } from '../features/windows.js';
import type { InferenceService } from '../inference/inference-service.js';
import type { ModelLease } from '../inference/inference-types.js';
import {
  anomalyRule,
  anomalyVerdicts,
  faultOutputs,
  historyWindows,
  nonFiniteWindows,
  primaryOutput,
  seriesVerdicts,
  timeToFailure,
  type WindowVerdict,
} from '../inference/model-outputs.js';
import type { AnomalyScore, FaultPrediction } from '../recommend/types.js';
import type { TelemetryReader } from '../telemetry/reader.js';
import type { TableRow } from '../telemetry/writer.js';
import { shadowRows } from './shadow.js';
import { StageClock } from './timings.js';

/** What a shard needs from the inference service (tests and the CLI pass the real one). */
export type ScoringService = Pick<InferenceService, 'models' | 'withModel'> &
  Partial<Pick<InferenceService, 'shadowOf'>>;

export interface DevicePlace {
  readonly cluster: string;
  readonly rack: string;
}

export interface ShardScores {
  readonly anomalies: AnomalyScore[];
  readonly predictions: FaultPrediction[];
  readonly rows: { table: 'anomaly_scores' | 'fault_predictions' | 'shadow_scores'; rows: TableRow[] }[];
  readonly scored: Record<string, number>;
  /** Per model, devices left unscored because an input of their latest window is missing, and which inputs. */
  readonly unscorable: Record<string, { devices: number; fields: string[] }>;
}

const TOP_FEATURES = 5;

interface Batch {
  readonly devices: string[];
  readonly input: Float32Array;
  readonly endTs: number[];
  /** Windows per device (1, or the history a model with recorded detection judges the latest one against). */
  readonly perDevice: number[];
}

/**
 * The latest window of every device with a full series, concatenated into one batch. Devices whose window lacks an
 * input (NaN from the read) are left out and counted in `missing` with the fields.
 */
function batchOf(
  series: Map<string, Series>,
  lease: ModelLease,
  missing: { devices: number; fields: string[] },
): Batch {
  const devices: string[] = [];
  const parts: Float32Array[] = [];
  const endTs: number[] = [];
  const perDevice: number[] = [];
  const history = lease.metadata.family === 'anomaly' && anomalyRule(lease.metadata) === 'sliding-window';
  for (const [device, s] of series) {
    if (s.ts.length < lease.metadata.windowLength) continue;
    const lacking = nonFiniteFields(s, s.ts.length - lease.metadata.windowLength - 1);
    if (lacking.length > 0) {
      missing.devices++;
      missing.fields = [...new Set([...missing.fields, ...lacking])];
      continue;
    }
    // A model with recorded detection (CSV-trained) judges the latest window against its history: every window of
    // the read range is scored (model-outputs' seriesVerdicts), as `npm run score` would on those rows.
    const w = history ? anomalyWindows(s, lease.metadata) : latestWindow(s, lease.metadata);
    devices.push(device);
    parts.push(w.data);
    endTs.push(w.endTs[w.count - 1]);
    perDevice.push(w.count);
  }
  const size = parts.reduce((n, p) => n + p.length, 0);
  const input = new Float32Array(size);
  let offset = 0;
  for (const p of parts) {
    input.set(p, offset);
    offset += p.length;
  }
  return { devices, input, endTs, perDevice };
}

/** Each device's latest verdict, judged over its windows in the batch by the model's rule (seriesVerdicts). */
function latestVerdicts(
  meta: ModelMetadata,
  all: readonly WindowVerdict[],
  batch: Batch,
  reconstruction: Float32Array,
): WindowVerdict[] {
  const out: WindowVerdict[] = [];
  const size = meta.windowLength * meta.features.length;
  let offset = 0;
  for (const count of batch.perDevice) {
    const [from, to] = [offset * size, (offset + count) * size];
    const judged = seriesVerdicts(meta, all.slice(offset, offset + count), {
      input: batch.input.subarray(from, to),
      reconstruction: reconstruction.subarray(from, to),
    });
    out.push(judged[count - 1]);
    offset += count;
  }
  return out;
}

/** The input of each device's latest window (what the non-finite check names inputs from). */
function lastWindows(batch: Batch, meta: Pick<ModelMetadata, 'windowLength' | 'features'>): Float32Array {
  const size = meta.windowLength * meta.features.length;
  if (batch.perDevice.every((c) => c === 1)) return batch.input;
  const out = new Float32Array(batch.perDevice.length * size);
  let offset = 0;
  batch.perDevice.forEach((count, d) => {
    offset += count;
    out.set(batch.input.subarray((offset - 1) * size, offset * size), d * size);
  });
  return out;
}

/** Windows whose output is not finite: left out of the scores (never written as NaN). */
function skipNonFinite(
  values: ArrayLike<number>,
  meta: { features: readonly string[]; windowLength: number },
  input: Float32Array,
): Map<number, readonly string[]> {
  return new Map(nonFiniteWindows(values, meta, input).map((w) => [w.window, w.features]));
}

function countUnscorable(out: ShardScores, model: string, bad: Map<number, readonly string[]>): void {
  if (bad.size === 0) return;
  out.scored[model] -= bad.size;
  const m = out.unscorable[model] ?? { devices: 0, fields: [] };
  const fields = [...bad.values()].flat();
  out.unscorable[model] = {
    devices: m.devices + bad.size,
    fields: [...new Set([...m.fields, ...(fields.length > 0 ? fields : ['non-finite output'])])],
  };
}

export async function scoreShard(
  svc: ScoringService,
  reader: TelemetryReader,
  /** `places`: each device's cluster and rack for the score rows, awaited only when the rows are built. */
  q: { cluster: string; to: number; places: Promise<ReadonlyMap<string, DevicePlace>> },
  clock = new StageClock(),
): Promise<ShardScores> {
  const out: ShardScores = { anomalies: [], predictions: [], rows: [], scored: {}, unscorable: {} };
  const ttf = new Map<string, { ttfMs: number; model: { name: string; version: string } }>();
  const faults: FaultPrediction[] = [];
  const window = svc.models().filter((m) => m.family === 'anomaly' || m.family === 'fault' || m.family === 'ttf');
  // Models with the same inputs (the anomaly, fault and ttf defaults share theirs) share one fleet read.
  const reads = new Map<string, Promise<Map<string, Series>>>();
  const read = (q: Parameters<TelemetryReader['gpuSeries']>[0]) => {
    const key = JSON.stringify(q);
    if (!reads.has(key))
      reads.set(
        key,
        clock.time('read', () => reader.gpuSeries(q)),
      );
    return reads.get(key)!;
  };
  const seriesFor = (lease: ModelLease) => {
    const meta = lease.metadata;
    const period = meta.samplePeriodMs;
    const to = Math.floor(q.to / period) * period;
    // An anomaly model with a recorded detection judges the last window against the history it was sized on.
    const history = meta.family === 'anomaly' ? historyWindows(meta) : 1;
    return read({
      from: to - (meta.windowLength + history) * period,
      to,
      fields: rawFields(meta.features),
      samplePeriodMs: period,
      cluster: q.cluster,
    });
  };
  for (const info of window) {
    await svc.withModel(info.name, {}, async (lease) => {
      const meta = lease.metadata;
      const period = meta.samplePeriodMs;
      const series = await seriesFor(lease);
      const missing = { devices: 0, fields: [] as string[] };
      const batch = clock.timeSync('features', () => batchOf(series, lease, missing));
      const n = batch.devices.length;
      out.scored[lease.model] = n;
      if (missing.devices > 0) out.unscorable[lease.model] = missing;
      if (n === 0) return;
      const windows = batch.perDevice.reduce((a, b) => a + b, 0);
      const result = await clock.time('models', () => lease.run(batch.input, [windows, ...lease.rowDims]));
      const places = await q.places;
      const endOutputs = clock.begin('outputs');
      const raw = primaryOutput(meta, result.outputs).data;
      const model = { name: lease.model, version: lease.version };
      const place = (d: string) => places.get(d) ?? { cluster: q.cluster, rack: 'unknown' };
      const windowMeta = { features: meta.features, windowLength: meta.windowLength };
      if (meta.family === 'anomaly') {
        const all = anomalyVerdicts(meta, batch.input, raw, windows, TOP_FEATURES);
        const verdicts = latestVerdicts(meta, all, batch, raw);
        const bad = skipNonFinite(
          verdicts.map((v) => v.score),
          windowMeta,
          lastWindows(batch, meta),
        );
        countUnscorable(out, lease.model, bad);
        const rows: TableRow[] = [];
        batch.devices.forEach((device, i) => {
          const v = verdicts[i];
          if (bad.has(i)) return;
          const topFeatures = v.topFeatures.map((f) => ({ name: f.feature, contribution: f.share }));
          if (v.threshold !== null) {
            out.anomalies.push({
              device,
              ts: batch.endTs[i],
              score: v.score,
              threshold: v.threshold,
              model,
              topFeatures,
            });
          }
          rows.push({
            ts: batch.endTs[i],
            symbols: { device, ...place(device), model: model.name, model_version: model.version },
            doubles: { score: v.score, ...(v.threshold !== null ? { threshold: v.threshold } : {}) },
            longs: { anomalous: v.anomalous ? 1 : 0 },
            strings: { top_features: JSON.stringify(topFeatures) },
          });
        });
        out.rows.push({ table: 'anomaly_scores', rows });
      } else if (meta.family === 'fault') {
        const horizonMs = (meta.horizonSteps ?? 0) * period;
        const bad = skipNonFinite(raw, windowMeta, batch.input);
        countUnscorable(out, lease.model, bad);
        faultOutputs(meta, raw).forEach((f, i) => {
          if (bad.has(i)) return;
          faults.push({
            device: batch.devices[i],
            ts: batch.endTs[i],
            probability: f.probability,
            horizonMs,
            model,
            ...(f.threshold ? { threshold: f.threshold } : {}),
            ...(f.alarm !== null ? { alarm: f.alarm } : {}),
          });
        });
      } else {
        const bad = skipNonFinite(raw, windowMeta, batch.input);
        countUnscorable(out, lease.model, bad);
        batch.devices.forEach((device, i) => {
          if (bad.has(i)) return;
          ttf.set(device, { ttfMs: timeToFailure(raw[i], meta).minutes * 60_000, model });
        });
      }
      endOutputs();
      if (svc.shadowOf) {
        const shadow = await shadowRows(
          {
            shadowOf: svc.shadowOf.bind(svc),
            withModel: svc.withModel.bind(svc),
            seriesFor,
            batchOf: (s, l) => batchOf(s, l, { devices: 0, fields: [] }),
          },
          { lease, batch, outputs: result.outputs },
          place,
          clock,
        );
        if (shadow.length > 0) out.rows.push({ table: 'shadow_scores', rows: shadow });
      }
    });
  }
  const places = await q.places;
  const endOutputs = clock.begin('outputs');
  const rows: TableRow[] = [];
  for (const f of faults) {
    const t = ttf.get(f.device);
    const p: FaultPrediction = t ? { ...f, ttfMs: t.ttfMs, ttfModel: t.model } : f;
    out.predictions.push(p);
    rows.push({
      ts: p.ts,
      symbols: {
        device: p.device,
        ...(places.get(p.device) ?? { cluster: q.cluster, rack: 'unknown' }),
        model: p.model.name,
        model_version: p.model.version,
      },
      doubles: {
        probability: p.probability,
        ...(p.ttfMs !== undefined ? { ttf_ms: p.ttfMs } : {}),
        ...(p.threshold ? { threshold: p.threshold.value } : {}),
      },
      longs: { horizon_ms: p.horizonMs, ...(p.alarm !== undefined ? { alarm: p.alarm ? 1 : 0 } : {}) },
    });
  }
  if (rows.length > 0) out.rows.push({ table: 'fault_predictions', rows });
  endOutputs();
  return out;
}
