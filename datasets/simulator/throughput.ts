/**
 * Job throughput (tokens or samples per second) as a smooth, physically shaped function of what `job_metrics`
 * reports, so a regressor can learn it from those columns alone:
 *
 *   throughput = K(model) · n^0.92 · (clock / 1 GHz) · (power_cap / TDP)^0.2 · thermal(temp) · b / (b + 1)
 *                · (util / 100)^2 / params
 *
 * - per-GPU rate ∝ SM clock, per model (K from the datasheet, ~40 % MFU) and ∝ 1 / params;
 * - sub-linear data-parallel scaling n^0.92 (all-reduce cost);
 * - a power cap below TDP lowers the SM clock when the job would draw more (that shows in the clock) and costs
 *   a little more on top (boost residency, memory-bound phases): (cap / TDP)^0.2, smooth so it is learnable;
 * - thermal throttling above 83 °C: exp(-0.04 (T - 83)) (on top of the clock drop it causes);
 * - micro-batch saturation b / (b + 1) (per-GPU batch b = batch_size / n);
 * - utilisation squared: a synchronous job waits for its slowest GPU, so a straggler costs more than its
 *   share of the mean utilisation.
 * The simulator multiplies by (1 + 1.2 % noise).
 */
import { GPU_MODELS } from './gpu-models.js';

export interface ThroughputInputs {
  readonly gpuModel: string;
  readonly paramsBillion: number;
  readonly nGpus: number;
  readonly batchSize: number;
  readonly powerCapW: number;
  readonly smClockMhz: number;
  readonly gpuTempC: number;
  readonly gpuUtilMean: number;
}

export const THROUGHPUT_NOISE = 0.012;

export function jobThroughput(x: ThroughputInputs): number {
  const spec = GPU_MODELS[x.gpuModel] ?? GPU_MODELS.H100;
  const capRatio = x.powerCapW / spec.tdpW;
  const capF = Math.min(1, Math.max(capRatio, 0.05)) ** 0.2;
  const thermF = x.gpuTempC <= 83 ? 1 : Math.exp(-0.04 * (x.gpuTempC - 83));
  const micro = x.batchSize / Math.max(1, x.nGpus);
  const batchF = micro / (micro + 1);
  const utilF = (Math.max(0, Math.min(100, x.gpuUtilMean)) / 100) ** 2;
  const scale = Math.max(1, x.nGpus) ** 0.92;
  return (
    (spec.rateK * scale * (x.smClockMhz / 1000) * capF * thermF * batchF * utilF) / Math.max(0.01, x.paramsBillion)
  );
}
