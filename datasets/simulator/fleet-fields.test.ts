import { describe, expect, it } from 'vitest';
import { simulateFleet, simulateSeries } from './fleet.js';

// The fleet-level columns the simulator computes, as the QuestDB reader does over stored rows.
describe('simulated peer and rack fields', () => {
  it('a straggler lags its job; a leaking GPU holds more memory than its job; the peers stay near 0', () => {
    const fields = ['below-peers:gpu_util', 'above-peers:fb_used_mib'];
    const sim = simulateSeries(
      {
        seed: 5,
        gpus: 32,
        hours: 8,
        start: Date.UTC(2026, 0, 1),
        faultTypes: ['straggler', 'memory_leak'],
        faultsPerGpuDay: 0.2,
      },
      fields,
    );
    const faulty = new Map(sim.labels.map((l) => [`${l.node}/${l.gpu}`, l]));
    expect(new Set(sim.labels.map((l) => l.faultType))).toEqual(new Set(['straggler', 'memory_leak']));
    for (const [device, s] of sim.series) {
      const label = faulty.get(device);
      const column = label?.faultType === 'memory_leak' ? 1 : 0;
      // Just before the failure, and the largest value anywhere outside the device's own fault.
      const before = label ? s.ts.findIndex((t) => t >= label.failureTs) - 1 : -1;
      let outside = 0;
      for (let t = 0; t < s.ts.length; t++) {
        if (label && s.ts[t] >= label.onsetTs && s.ts[t] <= label.failureTs + 30 * 60_000) continue;
        outside = Math.max(outside, s.values[t * 2]);
      }
      expect(outside, `${device} below-peers outside its fault`).toBeLessThan(10);
      if (label?.faultType === 'straggler') expect(s.values[before * 2 + column]).toBeGreaterThan(20);
      if (label?.faultType === 'memory_leak') expect(s.values[before * 2 + column]).toBeGreaterThan(5_000);
    }
  });

  it("rack:<field> is the facility row of the GPU's rack at the same step", () => {
    const opts = { seed: 9, gpus: 16, hours: 1, start: Date.UTC(2026, 0, 1) };
    const sim = simulateSeries(opts, ['gpu_temp_c', 'rack:inlet_temp_c']);
    const steps = [...simulateFleet(opts)];
    for (const [k, step] of steps.entries()) {
      for (const row of step.gpu) {
        const s = sim.series.get(`${row.symbols.node}/${row.symbols.gpu}`)!;
        const rack = step.facility.find((f) => f.symbols.rack === row.symbols.rack)!;
        expect(s.values[k * 2]).toBe(row.values.gpu_temp_c);
        expect(s.values[k * 2 + 1]).toBe(rack.values.inlet_temp_c);
      }
    }
    expect(() => simulateSeries(opts, ['rack:nope'])).toThrow(/facility_metrics/);
  });
});
