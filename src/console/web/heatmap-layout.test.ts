import { describe, expect, it } from 'vitest';
import { cellSizeFor, type HeatmapGpu, layoutHeatmap } from './heatmap-layout.js';

const gpu = (cluster: string, rack: number, node: number, g: number): HeatmapGpu => ({
  device: `${cluster}-r${rack}-n${node}/${g}`,
  cluster,
  rack: `${cluster}-r${rack}`,
  node: `${cluster}-r${rack}-n${node}`,
  gpu: String(g),
  state: 'healthy',
});

describe('layoutHeatmap', () => {
  it('gives every GPU one cell, none overlapping, within the width', () => {
    const gpus: HeatmapGpu[] = [];
    for (let r = 0; r < 32; r++) for (let n = 0; n < 16; n++) for (let g = 0; g < 8; g++) gpus.push(gpu('a', r, n, g));
    const l = layoutHeatmap(gpus, 1200);
    expect(l.cells).toHaveLength(4096);
    expect(l.size).toBe(cellSizeFor(4096));
    const corners = new Set(l.cells.map((c) => `${c.x},${c.y}`));
    expect(corners.size).toBe(4096);
    expect(Math.max(...l.cells.map((c) => c.x + l.size))).toBeLessThanOrEqual(1200);
    expect(l.labels.filter((x) => x.kind === 'rack')).toHaveLength(32);
  });

  it('orders racks, nodes and GPUs naturally (r2 before r10) and clusters one under another', () => {
    const gpus = [gpu('b', 10, 0, 0), gpu('b', 2, 0, 1), gpu('b', 2, 0, 0), gpu('a', 0, 0, 0)];
    const l = layoutHeatmap(gpus, 800);
    expect(l.cells.map((c) => c.gpu.device)).toEqual(['a-r0-n0/0', 'b-r2-n0/0', 'b-r2-n0/1', 'b-r10-n0/0']);
    const [a, b] = l.labels.filter((x) => x.kind === 'cluster');
    expect(b.y).toBeGreaterThan(a.y);
    expect(l.cells[1].x).toBeLessThan(l.cells[2].x); // GPUs of a node side by side
    expect(l.cells[3].x).toBeGreaterThan(l.cells[2].x); // the next rack to the right
  });

  it('wraps racks to a new row when the width is used up', () => {
    const gpus = Array.from({ length: 12 }, (_, r) => gpu('c', r, 0, 0));
    const l = layoutHeatmap(gpus, 200);
    expect(new Set(l.cells.map((c) => c.y)).size).toBeGreaterThan(1);
    expect(Math.max(...l.cells.map((c) => c.x))).toBeLessThan(200);
  });
});
