import { describe, expect, it } from 'vitest';
import { jobThroughput, type SimOptions, simulateSeries, THROUGHPUT_NOISE } from './index.js';

const BASE = {
  gpuModel: 'H100',
  paramsBillion: 7,
  nGpus: 8,
  batchSize: 64,
  powerCapW: 700,
  smClockMhz: 1980,
  gpuTempC: 65,
  gpuUtilMean: 95,
};

describe('jobThroughput', () => {
  it('has the physical shape the issue asks for', () => {
    const t = jobThroughput(BASE);
    expect(t).toBeGreaterThan(1000);
    expect(jobThroughput({ ...BASE, smClockMhz: 990 })).toBeCloseTo(t / 2, 6);
    expect(jobThroughput({ ...BASE, paramsBillion: 14 })).toBeCloseTo(t / 2, 6);
    expect(jobThroughput({ ...BASE, powerCapW: 400 })).toBeLessThan(t);
    expect(jobThroughput({ ...BASE, gpuTempC: 80 })).toBe(t);
    expect(jobThroughput({ ...BASE, gpuTempC: 92 })).toBeLessThan(0.75 * t);
    const two = jobThroughput({ ...BASE, nGpus: 16, batchSize: 128 });
    expect(two).toBeGreaterThan(1.7 * t);
    expect(two).toBeLessThan(2 * t); // sub-linear scaling
    expect(jobThroughput({ ...BASE, batchSize: 512 })).toBeGreaterThan(t); // bigger micro-batch, saturating
    expect(jobThroughput({ ...BASE, batchSize: 4096 }) / jobThroughput({ ...BASE, batchSize: 2048 })).toBeLessThan(
      1.01,
    );
    expect(jobThroughput({ ...BASE, gpuModel: 'A100', smClockMhz: 1410 })).toBeLessThan(t);
  });

  it('is what job_metrics reports, up to ~1 % noise (so a regressor can reach MAPE well under 5 %)', () => {
    const opts: SimOptions = { seed: 2, gpus: 64, start: Date.UTC(2026, 5, 1), hours: 3, racksPerCluster: 1 };
    const { jobs } = simulateSeries(opts, ['gpu_temp_c']);
    expect(jobs.length).toBeGreaterThan(1000);
    let sumAbs = 0;
    const models = new Set<string>();
    const params = new Set<number>();
    for (const r of jobs) {
      const v = r.values;
      models.add(r.symbols.gpu_model);
      params.add(v.params_billion);
      const expected = jobThroughput({
        gpuModel: r.symbols.gpu_model,
        paramsBillion: v.params_billion,
        nGpus: v.n_gpus,
        batchSize: v.batch_size,
        powerCapW: v.power_cap_w,
        smClockMhz: v.sm_clock_mhz,
        gpuTempC: v.gpu_temp_c,
        gpuUtilMean: v.gpu_util_mean,
      });
      const err = Math.abs(v.throughput / expected - 1);
      expect(err).toBeLessThan(6 * THROUGHPUT_NOISE);
      sumAbs += err;
    }
    const mape = sumAbs / jobs.length;
    expect(mape).toBeGreaterThan(0.005);
    expect(mape).toBeLessThan(0.015);
    expect(models.size).toBeGreaterThanOrEqual(2);
    expect(params.size).toBeGreaterThan(10);
  });
});
