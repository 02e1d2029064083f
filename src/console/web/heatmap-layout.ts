/**
 * Where each GPU sits in the fleet heatmap: clusters one under another, each cluster's racks side by side
 * (wrapping at the canvas width), each rack a block of node rows with one cell per GPU. Pure, so it is unit-tested
 * and the page's accessible table can give each cell's position next to its state.
 */
import type { State } from './states.js';

export interface HeatmapGpu {
  readonly device: string;
  readonly cluster: string;
  readonly rack: string;
  readonly node: string;
  readonly gpu: string;
  readonly state: State;
}
export interface Cell {
  readonly gpu: HeatmapGpu;
  /** Top-left corner, CSS pixels. */
  readonly x: number;
  readonly y: number;
}
export interface Label {
  readonly text: string;
  readonly x: number;
  readonly y: number;
  readonly kind: 'cluster' | 'rack';
}
export interface HeatmapLayout {
  readonly cells: Cell[];
  readonly labels: Label[];
  readonly size: number;
  readonly width: number;
  readonly height: number;
}

const GAP = 1;
const RACK_PAD = 10;
const RACK_LABEL = 14;
const CLUSTER_LABEL = 22;
const natural = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/** Cells shrink as the fleet grows so that 4,096 GPUs fit a screen. */
export const cellSizeFor = (gpus: number): number => (gpus > 2000 ? 7 : gpus > 500 ? 10 : 16);

function groupBy<T>(items: readonly T[], key: (t: T) => string): [string, T[]][] {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return [...m.entries()].sort(([a], [b]) => natural(a, b));
}

export function layoutHeatmap(gpus: readonly HeatmapGpu[], width: number): HeatmapLayout {
  const size = cellSizeFor(gpus.length);
  const pitch = size + GAP;
  const cells: Cell[] = [];
  const labels: Label[] = [];
  let y = 0;
  for (const [cluster, inCluster] of groupBy(gpus, (g) => g.cluster)) {
    labels.push({ text: cluster, x: 0, y, kind: 'cluster' });
    y += CLUSTER_LABEL;
    const racks = groupBy(inCluster, (g) => g.rack);
    const nodesOf = racks.map(([, r]) => groupBy(r, (g) => g.node));
    const cols = Math.max(1, ...nodesOf.flat().map(([, n]) => n.length));
    // Wide enough for its label's first characters even when a node has one GPU.
    const blockW = Math.max(cols * pitch, 36) + RACK_PAD;
    let x = 0;
    let rowH = 0;
    racks.forEach(([rack], i) => {
      const nodes = nodesOf[i];
      const blockH = RACK_LABEL + nodes.length * pitch + RACK_PAD;
      if (x > 0 && x + blockW > width) {
        x = 0;
        y += rowH;
        rowH = 0;
      }
      labels.push({ text: rack, x, y, kind: 'rack' });
      nodes.forEach(([, inNode], row) => {
        inNode.sort((a, b) => natural(a.gpu, b.gpu));
        inNode.forEach((gpu, col) => {
          cells.push({ gpu, x: x + col * pitch, y: y + RACK_LABEL + row * pitch });
        });
      });
      x += blockW;
      rowH = Math.max(rowH, blockH);
    });
    y += rowH + 6;
  }
  return { cells, labels, size, width, height: Math.max(y, 1) };
}
