import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { faultPlan, type SimOptions, simulateFleet, simulateSeries } from './index.js';

const BASE: SimOptions = { seed: 5, gpus: 24, start: Date.UTC(2026, 4, 1), hours: 1 };

function digest(opts: SimOptions): string {
  const h = createHash('sha256');
  for (const step of simulateFleet(opts)) h.update(JSON.stringify(step));
  return h.digest('hex');
}

describe('determinism', () => {
  it('gives identical output for the same seed and different output for another seed', () => {
    const a = digest(BASE);
    expect(digest({ ...BASE })).toBe(a);
    expect(digest({ ...BASE, seed: 6 })).not.toBe(a);
    expect(faultPlan({ ...BASE, hours: 8 })).toEqual(faultPlan({ ...BASE, hours: 8 }));
    expect(faultPlan({ ...BASE, hours: 8 })).not.toEqual(faultPlan({ ...BASE, hours: 8, seed: 6 }));
  });

  it('never calls Math.random', () => {
    const original = Math.random;
    Math.random = () => {
      throw new Error('Math.random used');
    };
    try {
      expect(() => [...simulateFleet({ ...BASE, hours: 0.2 })]).not.toThrow();
    } finally {
      Math.random = original;
    }
  });

  it('simulateSeries matches the generator sample for sample', () => {
    const fields = ['gpu_temp_c', 'power_w', 'ecc_sbe_volatile', 'fb_used_mib'];
    const { series, jobs } = simulateSeries(BASE, fields);
    const steps = [...simulateFleet(BASE)];
    expect(series.size).toBe(BASE.gpus);
    let k = 0;
    for (const step of steps) {
      for (const row of step.gpu) {
        const s = series.get(`${row.symbols.node}/${row.symbols.gpu}`)!;
        expect(s.ts[k]).toBe(step.ts);
        for (let j = 0; j < fields.length; j++) expect(s.values[k * fields.length + j]).toBe(row.values[fields[j]]);
      }
      k++;
    }
    expect(jobs).toEqual(steps.flatMap((s) => s.jobs));
  });

  it('emits one row per GPU and rack per step, every catalogue field filled', async () => {
    const { GPU_METRICS, FACILITY_METRICS, JOB_METRICS } = await import('../../src/telemetry/catalogue.js');
    const steps = [...simulateFleet(BASE)];
    expect(steps).toHaveLength(360);
    expect(steps[1].ts - steps[0].ts).toBe(10_000);
    for (const step of steps.slice(0, 5)) {
      expect(step.gpu).toHaveLength(24);
      expect(step.facility).toHaveLength(1);
      expect(step.jobs.length).toBeGreaterThan(0);
      const check = (rows: typeof step.gpu, spec: typeof GPU_METRICS) => {
        for (const r of rows) {
          expect(Object.keys(r.values).sort()).toEqual(spec.fields.map((f) => f.name).sort());
          for (const v of Object.values(r.values)) expect(Number.isFinite(v)).toBe(true);
          for (const s of spec.requiredSymbols) expect(r.symbols[s]).toBeTruthy();
          for (const f of spec.fields) if (f.type === 'long') expect(Number.isInteger(r.values[f.name])).toBe(true);
        }
      };
      check(step.gpu, GPU_METRICS);
      check(step.facility, FACILITY_METRICS);
      check(step.jobs, JOB_METRICS);
    }
  });

  it('rejects bad options with a validation error naming the field', () => {
    expect(() => faultPlan({ ...BASE, gpus: 0 })).toThrow(/gpus/);
    expect(() => faultPlan({ ...BASE, hours: -1 })).toThrow(AppError);
    expect(() => simulateSeries(BASE, ['not_a_field'])).toThrow(/not_a_field/);
  });
});
