import { describe, expect, it } from 'vitest';
import { simulateSeries } from './fleet.js';

// The peer columns the simulator computes must single out the faulty GPU and leave its job's healthy GPUs at ~0.
describe('simulated peer features', () => {
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
});
