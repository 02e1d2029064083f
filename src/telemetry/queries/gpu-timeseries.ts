/**
 * Named query for one GPU's drill-down: its telemetry and its model outputs on one time grid.
 *
 * gpuTimeseries(reader, {node, gpu, from, to, stepMs, fields})
 *   in:  one GPU (node, gpu), a range [from, to) in epoch ms, a bucket width (ms, > 0) and gpu_metrics fields
 *        (checked against the catalogue: the only identifiers placed in the SQL text)
 *   out: {ts, fields, anomaly, fault}: `ts` the bucket starts from floor(from / step) · step up to `to`; for each
 *        field its values per bucket (gauges: mean, counters: max, `xid_count`: sum, `xid_last`: max), null where
 *        the GPU sent nothing; `anomaly` the highest anomaly score per bucket and the threshold it was scored
 *        against; `fault` the highest fault probability per bucket with its alarm threshold. The caller bounds the
 *        number of buckets and values before calling.
 */
import { AppError } from '../../errors.js';
import { GPU_METRICS } from '../catalogue.js';
import { isoUtc } from '../pg-pool.js';
import type { TelemetryReader } from '../reader.js';

const FIELD_TYPES = new Map(GPU_METRICS.fields.map((f) => [f.name, f.type]));

/** How a bucket sums up a field: gauges by their mean; counters by the worst (highest) value; XIDs by their count. */
function aggregateOf(field: string): string {
  if (field === 'xid_count') return `sum(${field})`;
  return FIELD_TYPES.get(field) === 'long' ? `max(${field})` : `avg(${field})`;
}

export interface GpuTimeseriesQuery {
  readonly node: string;
  readonly gpu: string;
  readonly from: number;
  readonly to: number;
  readonly stepMs: number;
  readonly fields: readonly string[];
}

export interface GpuTimeseries {
  readonly ts: number[];
  readonly fields: Record<string, (number | null)[]>;
  readonly anomaly: { score: (number | null)[]; threshold: (number | null)[] };
  readonly fault: { probability: (number | null)[]; threshold: (number | null)[] };
}

type Row = Record<string, unknown>;
const num = (v: unknown): number | null =>
  v === null || v === undefined || !Number.isFinite(Number(v)) ? null : Number(v);

export async function gpuTimeseries(reader: TelemetryReader, q: GpuTimeseriesQuery): Promise<GpuTimeseries> {
  for (const f of q.fields) {
    if (!FIELD_TYPES.has(f)) throw new AppError('VALIDATION_FAILED', `unknown gpu_metrics field "${f}"`, { field: f });
  }
  const step = Math.floor(q.stepMs);
  if (!(step > 0)) throw new AppError('VALIDATION_FAILED', `stepMs must be a positive integer, got ${q.stepMs}`);
  const start = Math.floor(q.from / step) * step;
  const ts: number[] = [];
  for (let t = start; t < q.to; t += step) ts.push(t);
  const slot = (v: unknown) => Math.floor((new Date(v as string).getTime() - start) / step);
  const empty = () => ts.map((): number | null => null);

  const device = `${q.node}/${q.gpu}`;
  const range = [isoUtc(start), isoUtc(q.to)];
  const cols = q.fields.map((f) => `${aggregateOf(f)} ${f}`).join(', ');
  const [metrics, scores, faults] = await Promise.all([
    q.fields.length === 0
      ? Promise.resolve([] as Row[])
      : reader.query<Row>(
          `SELECT ts, ${cols} FROM gpu_metrics WHERE node = $3 AND gpu = $4 AND ts >= $1 AND ts < $2 ` +
            `SAMPLE BY ${step}T ALIGN TO CALENDAR`,
          [...range, q.node, q.gpu],
        ),
    reader.query<Row>(
      `SELECT ts, max(score) score, last(threshold) threshold FROM anomaly_scores ` +
        `WHERE device = $3 AND ts >= $1 AND ts < $2 SAMPLE BY ${step}T ALIGN TO CALENDAR`,
      [...range, device],
    ),
    reader.query<Row>(
      `SELECT ts, max(probability) probability, last(threshold) threshold FROM fault_predictions ` +
        `WHERE device = $3 AND ts >= $1 AND ts < $2 SAMPLE BY ${step}T ALIGN TO CALENDAR`,
      [...range, device],
    ),
  ]);

  const fields = Object.fromEntries(q.fields.map((f) => [f, empty()]));
  const anomaly = { score: empty(), threshold: empty() };
  const fault = { probability: empty(), threshold: empty() };
  const place = (rows: Row[], into: Record<string, (number | null)[]>) => {
    for (const r of rows) {
      const i = slot(r.ts);
      if (i < 0 || i >= ts.length) continue;
      for (const [name, values] of Object.entries(into)) values[i] = num(r[name]);
    }
  };
  place(metrics, fields);
  place(scores, anomaly);
  place(faults, fault);
  return { ts, fields, anomaly, fault };
}
