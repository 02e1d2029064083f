/**
 * Throughput forecasts for a shard: for every job of the cluster that reported in the last 15 minutes, the served
 * throughput model predicts its work rate at its current power cap and at lower candidate caps (−10 %, −20 %,
 * −30 %), inputs built by src/features (`throughputRows`, `throughputFromOutput`) from the job's latest sample
 * with only the cap changed. That is a fair question only to a model with no input the cap itself moves (SM clock,
 * temperature: training/trainer-common.ts THROUGHPUT_FEATURES). Rows go to `throughput_forecasts`; the policy gets
 * `PowerCapForecast`s. A job's power at a cap is taken as n_gpus × cap (training jobs run at their cap), a stated
 * approximation.
 */
import { rawFields } from '../features/derived.js';
import { type JobFeatures, parseOneHot, throughputFromOutput, throughputRows } from '../features/model-inputs.js';
import type { OperatingPoint, PowerCapForecast } from '../recommend/types.js';
import { type JobSample, latestJobSamples } from '../telemetry/queries/job-samples.js';
import type { TelemetryReader } from '../telemetry/reader.js';
import type { TableRow } from '../telemetry/writer.js';
import type { ScoringService } from './scoring.js';
import { StageClock } from './timings.js';

export const CAP_STEPS = [1, 0.9, 0.8, 0.7] as const;
const MIN_CAP_W = 100;

/** What the forecast asks the model: the job at each of CAP_STEPS of its cap, nothing else changed. */
export function atLowerCaps(job: JobFeatures): JobFeatures[] {
  const cap = job.values.power_cap_w;
  return CAP_STEPS.map((step) => ({
    symbols: job.symbols,
    values: { ...job.values, power_cap_w: Math.max(MIN_CAP_W, Math.round(cap * step)) },
  }));
}

/** One job's `atLowerCaps` inputs with their predicted throughputs (from `offset`); power taken as n_gpus × cap. */
export function operatingPoints(
  inputs: readonly JobFeatures[],
  predicted: ArrayLike<number>,
  offset = 0,
): OperatingPoint[] {
  return inputs.map((x, s) => ({
    powerCapW: x.values.power_cap_w,
    throughput: predicted[offset + s],
    powerW: x.values.power_cap_w * x.values.n_gpus,
  }));
}

export async function forecastThroughput(
  svc: ScoringService,
  reader: TelemetryReader,
  q: { cluster: string; to: number },
  clock = new StageClock(),
): Promise<{ forecasts: PowerCapForecast[]; rows: TableRow[]; scored: Record<string, number> }> {
  const model = svc.models().find((m) => m.family === 'throughput');
  if (!model) return { forecasts: [], rows: [], scored: {} };
  const endRead = clock.begin('read');
  const jobs = await latestJobSamples(reader, { cluster: q.cluster, from: q.to - 15 * 60_000, to: q.to });
  endRead();
  const usable = jobs.filter((j) => Number(j.power_cap_w) > 0 && Number(j.n_gpus) > 0);
  if (usable.length === 0) return { forecasts: [], rows: [], scored: { [model.name]: 0 } };
  return svc.withModel(model.name, {}, async (lease) => {
    const meta = lease.metadata;
    // A job missing an input the model reads cannot be forecast: skip it rather than fail the shard.
    const needed = rawFields(meta.features.filter((f) => !parseOneHot(f))) as (keyof JobSample)[];
    const complete = (j: JobSample) => needed.every((f) => Number.isFinite(Number(j[f] ?? Number.NaN)));
    const ready = usable.filter(complete);
    if (ready.length === 0) return { forecasts: [], rows: [], scored: { [model.name]: 0 } };
    const endFeatures = clock.begin('features');
    const inputs = ready.flatMap((j) =>
      atLowerCaps({
        symbols: { workload: j.workload, gpu_model: j.gpu_model },
        values: {
          params_billion: Number(j.params_billion),
          n_gpus: Number(j.n_gpus),
          batch_size: Number(j.batch_size),
          power_cap_w: Number(j.power_cap_w),
          sm_clock_mhz: Number(j.sm_clock_mhz),
          gpu_temp_c: Number(j.gpu_temp_c),
          gpu_util_mean: Number(j.gpu_util_mean),
        },
      }),
    );
    const x = throughputRows(inputs, meta);
    endFeatures();
    const result = await clock.time('models', () => lease.run(x, [inputs.length, ...lease.rowDims]));
    const endOutputs = clock.begin('outputs');
    const output = result.outputs[meta.onnx?.outputs[0] ?? ''] ?? Object.values(result.outputs)[0];
    const predicted = throughputFromOutput(output.data, meta);
    const ref = { name: lease.model, version: lease.version };
    const forecasts: PowerCapForecast[] = [];
    const rows: TableRow[] = [];
    const perJob = CAP_STEPS.length;
    ready.forEach((j, k) => {
      const ts = new Date(j.ts).getTime();
      const points = operatingPoints(inputs.slice(k * perJob, (k + 1) * perJob), predicted, k * perJob);
      points.forEach((p, s) => {
        rows.push({
          ts,
          symbols: { job_id: j.job_id, cluster: q.cluster, model: ref.name, model_version: ref.version },
          doubles: { power_cap_w: p.powerCapW, throughput: p.throughput },
          longs: { current: s === 0 ? 1 : 0 },
        });
      });
      forecasts.push({
        subject: { kind: 'job', id: j.job_id },
        ts,
        model: ref,
        current: points[0],
        candidates: points.slice(1),
      });
    });
    endOutputs();
    return { forecasts, rows, scored: { [model.name]: ready.length } };
  });
}
