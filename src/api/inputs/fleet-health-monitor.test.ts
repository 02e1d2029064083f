import { describe, expect, it } from 'vitest';
import type { GpuHealth } from '../../health/gpu-state.js';
import type { HealthState } from '../../health/health-policy.js';
import type { TableRow } from '../../telemetry/writer.js';
import { FleetHealthMonitor } from './fleet-health-monitor.js';

const gpu = (cluster: string, state: HealthState): GpuHealth => ({
  identity: { device: `${cluster}-n/0`, cluster, rack: 'r', node: `${cluster}-n`, gpu: '0', gpuModel: '' },
  state,
  reasons: [],
});

function monitor(states: HealthState[]) {
  const calls: number[] = [];
  const written: TableRow[][] = [];
  const m = new FleetHealthMonitor({
    compute: async (at) => {
      calls.push(at);
      return states.map((s, i) => gpu(i % 2 ? 'b' : 'a', s));
    },
    writer: { writeDurable: async (_table, rows) => void written.push([...rows]) },
    log: { warn: () => {} },
    recordEveryMs: 60_000,
    maxAgeMs: 1_000,
  });
  return { m, calls, written };
}

describe('FleetHealthMonitor', () => {
  it('shares one computation between concurrent callers and caches it for maxAgeMs', async () => {
    const { m, calls } = monitor(['healthy', 'failing']);
    const [a, b] = await Promise.all([m.current(10_000), m.current(10_000)]);
    expect(a).toBe(b);
    await m.current(10_900);
    expect(calls).toEqual([10_000]);
    await m.current(11_001);
    expect(calls).toEqual([10_000, 11_001]);
  });

  it('a snapshot of another time never replaces the cached current score', async () => {
    const { m, calls } = monitor(['healthy']);
    await m.current(10_000);
    await m.snapshot(99_000_000);
    await m.current(10_500);
    expect(calls).toEqual([10_000, 99_000_000]);
  });

  it('records the slot floored to the interval: one fleet row and one per cluster', async () => {
    const { m, written } = monitor(['healthy', 'degraded', 'unknown']);
    const snap = await m.record(125_000);
    expect(snap.at).toBe(120_000);
    expect(written[0].map((r) => [r.ts, r.symbols?.scope, r.symbols?.cluster, r.doubles?.score])).toEqual([
      [120_000, 'fleet', '*', 1.75 / 3],
      [120_000, 'cluster', 'a', 0.5],
      [120_000, 'cluster', 'b', 0.75],
    ]);
    expect(written[0][0].longs).toMatchObject({ gpus: 3, healthy: 1, degraded: 1, unknown: 1, failing: 0 });
  });
});
