/**
 * Named query over `job_metrics`.
 *
 * latestJobSamples(reader, {cluster, from, to})
 *   out: per job of the cluster that reported in [from, to) (keyed by job_id, workload, gpu_model): its newest
 *        sample time and the last value of each field the throughput model reads.
 */
import { isoUtc } from '../pg-pool.js';
import type { TelemetryReader } from '../reader.js';
import type { ClusterRange } from './gpu-evidence.js';

export interface JobSample {
  job_id: string;
  workload: string;
  gpu_model: string;
  ts: Date;
  params_billion: number;
  n_gpus: number;
  batch_size: number;
  power_cap_w: number;
  sm_clock_mhz: number;
  gpu_temp_c: number;
  throughput: number;
  gpu_util_mean: number;
}

export function latestJobSamples(reader: TelemetryReader, q: ClusterRange): Promise<JobSample[]> {
  return reader.query<JobSample>(
    'SELECT job_id, workload, gpu_model, max(ts) ts, last(params_billion) params_billion, last(n_gpus) n_gpus, ' +
      'last(batch_size) batch_size, last(power_cap_w) power_cap_w, last(sm_clock_mhz) sm_clock_mhz, ' +
      'last(gpu_temp_c) gpu_temp_c, last(throughput) throughput, last(gpu_util_mean) gpu_util_mean ' +
      'FROM job_metrics WHERE cluster = $1 AND ts >= $2 AND ts < $3 GROUP BY job_id, workload, gpu_model',
    [q.cluster, isoUtc(q.from), isoUtc(q.to)],
  );
}
