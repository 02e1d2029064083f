import { describe, expect, it } from 'vitest';
import type { TelemetryRow } from '../../src/telemetry/catalogue.js';
import { FleetEngine } from './engine.js';
import { planFleet } from './faults.js';

describe('gpu_metrics rows carry the job each GPU runs', () => {
  // Eight hours of a small fleet: jobs start and end, and slots sit idle between them.
  const plan = planFleet({ seed: 11, gpus: 16, start: Date.UTC(2026, 6, 1), hours: 8 });
  const engine = new FleetEngine(plan);
  const slotOf = new Map(plan.slots.flatMap((s) => s.gpuIndices.map((g) => [g, s.index] as const)));

  it('sets job_id to the running job of the GPU slot, leaves it out when idle, and reuses symbol objects', () => {
    let previous: TelemetryRow[] | undefined;
    let withJob = 0;
    let idle = 0;
    let reused = 0;
    for (let k = 0; k < plan.options.steps; k++) {
      const ts = engine.step(k);
      const rows = engine.gpuRows(ts);
      for (const gpu of plan.topology.gpus) {
        const row = rows[gpu.index];
        const job = engine.currentJobs[slotOf.get(gpu.index)!];
        const before = previous?.[gpu.index];
        if (before && before.symbols.job_id === row.symbols.job_id && row.symbols === before.symbols) reused++;
        else if (job) {
          // New symbols only when the job changes (checked in full then; identical objects in between).
          expect(job.gpuIndices).toContain(gpu.index);
          expect(row.symbols).toEqual({ ...gpu.symbols, job_id: job.id });
        } else expect(row.symbols).toBe(gpu.symbols);
        if (job) {
          if (row.symbols.job_id !== job.id) expect(row.symbols.job_id).toBe(job.id);
          withJob++;
        } else {
          if ('job_id' in row.symbols) expect(row.symbols).not.toHaveProperty('job_id');
          idle++;
        }
      }
      // job_metrics rows name the same ids, and each job's GPU count matches the rows that carry its id.
      const perJob = new Map<string, number>();
      for (const r of rows) if (r.symbols.job_id) perJob.set(r.symbols.job_id, (perJob.get(r.symbols.job_id) ?? 0) + 1);
      for (const j of engine.jobRows(ts)) expect(perJob.get(j.symbols.job_id)).toBe(j.values.n_gpus);
      previous = rows;
    }
    expect(withJob).toBeGreaterThan(0);
    expect(idle).toBeGreaterThan(0);
    expect(reused).toBeGreaterThan(withJob * 0.9);
  });
});
