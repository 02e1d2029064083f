/**
 * Time-series charts with uPlot (canvas, fast with thousands of points). A series may hold nulls: uPlot leaves a
 * gap there rather than drawing a line through a time without data.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h } from './dom.js';

export interface LineSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
  readonly colour: string;
  /** A threshold or a limit: dashed. */
  readonly dashed?: boolean;
  /** Draw as points (sparse events such as XIDs). */
  readonly points?: boolean;
  /**
   * Join the values across empty buckets: for series recorded less often than the bucket (model scores, every
   * forecast run). Telemetry keeps its gaps: a GPU that sent nothing shows as a break, not as a line.
   */
  readonly spanGaps?: boolean;
}

export interface ChartSpec {
  readonly title: string;
  /** Epoch ms, ascending. */
  readonly ts: readonly number[];
  readonly series: readonly LineSeries[];
  readonly unit?: string;
  readonly height?: number;
  /** x range in epoch ms when the chart should span more than its data (e.g. the chosen period). */
  readonly range?: readonly [number, number];
}

/** Charts made by the current view, destroyed when the view changes (uPlot holds listeners and canvases). */
const live = new Set<uPlot>();
export function destroyCharts(): void {
  for (const c of live) c.destroy();
  live.clear();
}

export function lineChart(container: HTMLElement, spec: ChartSpec): HTMLElement {
  const box = h('figure', { class: 'chart', 'data-chart': spec.title });
  container.append(box);
  const hasData = spec.series.some((s) => s.values.some((v) => v !== null));
  box.dataset.points = String(spec.series.reduce((n, s) => n + s.values.filter((v) => v !== null).length, 0));
  if (!hasData) {
    box.append(h('figcaption', { class: 'title' }, spec.title), h('p', { class: 'nodata' }, 'no data in this period'));
    return box;
  }
  // The figure's own width: in a grid of charts that is its cell, not the whole grid.
  const width = Math.max(320, Math.floor(box.clientWidth || container.clientWidth || 600) - 8);
  const opts: uPlot.Options = {
    title: spec.title,
    width: Math.min(width, 720),
    height: spec.height ?? 180,
    scales: {
      x: { time: true, ...(spec.range ? { min: spec.range[0] / 1000, max: spec.range[1] / 1000 } : {}) },
    },
    axes: [{}, { label: spec.unit, size: 56 }],
    series: [
      {},
      ...spec.series.map((s) => ({
        label: s.label,
        stroke: s.colour,
        width: s.dashed ? 1 : 1.5,
        ...(s.dashed ? { dash: [6, 4] } : {}),
        ...(s.spanGaps ? { spanGaps: true, points: { show: true, size: 4 } } : {}),
        ...(s.points ? { paths: () => null, points: { show: true, size: 6, fill: s.colour } } : {}),
      })),
    ],
    legend: { live: true },
    cursor: { drag: { x: true, y: false } },
  };
  const data = [spec.ts.map((t) => t / 1000), ...spec.series.map((s) => [...s.values])] as uPlot.AlignedData;
  live.add(new uPlot(opts, data, box));
  return box;
}
