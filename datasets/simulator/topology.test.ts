import { describe, expect, it } from 'vitest';
import { fleetTopology, jobPlan, resolveOptions } from './index.js';

const START = Date.UTC(2026, 0, 1);

describe('fleetTopology', () => {
  it('builds the default 256-GPU fleet as 2 clusters x 4 racks x 4 nodes x 8 GPUs', () => {
    const t = fleetTopology({ seed: 1, gpus: 256, start: START, hours: 1 });
    expect(t.clusters).toEqual(['c0', 'c1']);
    expect(t.racks).toHaveLength(8);
    expect(t.nodes).toHaveLength(32);
    expect(t.gpus).toHaveLength(256);
    expect(new Set(t.nodes.map((n) => n.name)).size).toBe(32);
    expect(t.gpus[0].symbols).toEqual({ cluster: 'c0', rack: 'c0-r0', node: 'c0-r0-n0', gpu: '0', gpu_model: 'H100' });
    expect(t.gpus[255].device).toBe('c1-r3-n3/7');
    expect(t.gpus[255].gpuModel).toBe('A100');
    expect(t.gpus.map((g) => g.gpu)).toContain('7');
    expect(t.gpus.every((g, i) => g.index === i)).toBe(true);
  });

  it('fills a partial node for fleet sizes that are not a multiple of 8, and honours the shape options', () => {
    const t = fleetTopology({ seed: 1, gpus: 12, start: START, hours: 1 });
    expect(t.nodes.map((n) => n.gpuIndices.length)).toEqual([8, 4]);
    const wide = fleetTopology({
      seed: 1,
      gpus: 64,
      start: START,
      hours: 1,
      gpusPerNode: 4,
      nodesPerRack: 2,
      racksPerCluster: 2,
    });
    expect(wide.nodes).toHaveLength(16);
    expect(wide.racks).toHaveLength(8);
    expect(wide.clusters).toHaveLength(4);
  });

  it('plans jobs on every GPU slot without overlaps, with multi-GPU jobs', () => {
    const o = resolveOptions({ seed: 3, gpus: 128, start: START, hours: 24 });
    const slots = jobPlan(o, fleetTopology(o));
    const covered = new Set(slots.flatMap((s) => s.gpuIndices));
    expect(covered.size).toBe(128);
    expect(slots.some((s) => s.gpuIndices.length >= 8)).toBe(true);
    for (const s of slots) {
      for (let i = 1; i < s.jobs.length; i++) expect(s.jobs[i].start).toBeGreaterThanOrEqual(s.jobs[i - 1].end);
    }
  });
});
