/**
 * Model scores for one shard, with the SAME code path as the scoring API: the active version of each served
 * window model (anomaly, fault, ttf) through the InferenceService, inputs built by src/features from the model's
 * own metadata (`latestWindow`), anomaly scores by `anomalyScores`. Returns the policy's inputs and the rows
 * for `anomaly_scores` and `fault_predictions`.
 */
import { rawFields } from '../features/derived.js';
import { latestWindow } from '../features/model-inputs.js';
import { anomalyScores } from '../features/reconstruction.js';
import { nonFiniteFields, type Series } from '../features/windows.js';
import type { InferenceService } from '../inference/inference-service.js';
import type { ModelLease } from '../inference/inference-types.js';
import type { AnomalyScore, FaultPrediction } from '../recommend/types.js';
import type { TelemetryReader } from '../telemetry/reader.js';
import type { TableRow } from '../telemetry/writer.js';
import { StageClock } from './forecast-timings.js';

/** What a shard needs from the inference service (tests and the CLI pass the real one). */
export type ScoringService = Pick<InferenceService, 'models' | 'withModel'>;

export interface DevicePlace {
  readonly cluster: string;
  readonly rack: string;
}

export interface ShardScores {
  readonly anomalies: AnomalyScore[];
  readonly predictions: FaultPrediction[];
  readonly rows: { table: 'anomaly_scores' | 'fault_predictions'; rows: TableRow[] }[];
  readonly scored: Record<string, number>;
  /** Per model, devices left unscored because an input of their latest window is missing, and which inputs. */
  readonly unscorable: Record<string, { devices: number; fields: string[] }>;
}

const TOP_FEATURES = 5;

interface Batch {
  readonly devices: string[];
  readonly input: Float32Array;
  readonly endTs: number[];
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
  for (const [device, s] of series) {
    if (s.ts.length < lease.metadata.windowLength) continue;
    const lacking = nonFiniteFields(s, s.ts.length - lease.metadata.windowLength - 1);
    if (lacking.length > 0) {
      missing.devices++;
      missing.fields = [...new Set([...missing.fields, ...lacking])];
      continue;
    }
    const w = latestWindow(s, lease.metadata);
    devices.push(device);
    parts.push(w.data);
    endTs.push(w.endTs[0]);
  }
  const size = parts.reduce((n, p) => n + p.length, 0);
  const input = new Float32Array(size);
  let offset = 0;
  for (const p of parts) {
    input.set(p, offset);
    offset += p.length;
  }
  return { devices, input, endTs };
}

export async function scoreShard(
  svc: ScoringService,
  reader: TelemetryReader,
  q: { cluster: string; to: number; places: ReadonlyMap<string, DevicePlace> },
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
  for (const info of window) {
    await svc.withModel(info.name, {}, async (lease) => {
      const meta = lease.metadata;
      const period = meta.samplePeriodMs;
      const to = Math.floor(q.to / period) * period;
      const series = await read({
        from: to - (meta.windowLength + 1) * period,
        to,
        fields: rawFields(meta.features),
        samplePeriodMs: period,
        cluster: q.cluster,
      });
      const missing = { devices: 0, fields: [] as string[] };
      const batch = clock.timeSync('features', () => batchOf(series, lease, missing));
      const n = batch.devices.length;
      out.scored[lease.model] = n;
      if (missing.devices > 0) out.unscorable[lease.model] = missing;
      if (n === 0) return;
      const result = await clock.time('models', () => lease.run(batch.input, [n, ...lease.rowDims]));
      const endOutputs = clock.begin('outputs');
      const output = result.outputs[meta.onnx?.outputs[0] ?? ''] ?? Object.values(result.outputs)[0];
      const model = { name: lease.model, version: lease.version };
      const place = (d: string) => q.places.get(d) ?? { cluster: q.cluster, rack: 'unknown' };
      if (meta.family === 'anomaly') {
        const F = lease.rowDims[1];
        // The one score definition shared with training and the scoring API (weighted per feature when the
        // model says so).
        const { scores, contributions } = anomalyScores(meta, batch.input, output.data, n);
        const threshold = meta.threshold?.value ?? Number.POSITIVE_INFINITY;
        const rows: TableRow[] = [];
        batch.devices.forEach((device, i) => {
          const topFeatures = meta.features
            .map((name, f) => ({ name, contribution: contributions[i * F + f] }))
            .sort((a, b) => b.contribution - a.contribution)
            .slice(0, TOP_FEATURES);
          if (Number.isFinite(threshold)) {
            out.anomalies.push({ device, ts: batch.endTs[i], score: scores[i], threshold, model, topFeatures });
          }
          rows.push({
            ts: batch.endTs[i],
            symbols: { device, ...place(device), model: model.name, model_version: model.version },
            doubles: { score: scores[i], ...(Number.isFinite(threshold) ? { threshold } : {}) },
            longs: { anomalous: scores[i] >= threshold ? 1 : 0 },
            strings: { top_features: JSON.stringify(topFeatures) },
          });
        });
        out.rows.push({ table: 'anomaly_scores', rows });
      } else if (meta.family === 'fault') {
        const horizonMs = (meta.horizonSteps ?? 0) * period;
        batch.devices.forEach((device, i) => {
          faults.push({ device, ts: batch.endTs[i], probability: output.data[i], horizonMs, model });
        });
      } else {
        const cap = (meta.ttfCapSteps ?? 0) * period;
        batch.devices.forEach((device, i) => {
          ttf.set(device, { ttfMs: Math.max(0, output.data[i]) * cap, model });
        });
      }
      endOutputs();
    });
  }
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
        ...(q.places.get(p.device) ?? { cluster: q.cluster, rack: 'unknown' }),
        model: p.model.name,
        model_version: p.model.version,
      },
      doubles: { probability: p.probability, ...(p.ttfMs !== undefined ? { ttf_ms: p.ttfMs } : {}) },
      longs: { horizon_ms: p.horizonMs },
    });
  }
  if (rows.length > 0) out.rows.push({ table: 'fault_predictions', rows });
  endOutputs();
  return out;
}
