/**
 * The fleet heatmap on a canvas (one fillRect per GPU: 4,096 GPUs draw in milliseconds, where as many DOM nodes
 * would not), with a tooltip and click-through to the GPU's drill-down, and the same GPUs as an accessible table
 * (state and cell position per GPU) for screen readers and for the browser tests. The render is timed with
 * performance marks: `heatmap-render` (layout + draw) and `heatmap-table`.
 */
import { esc } from './dom.js';
import { type HeatmapGpu, type HeatmapLayout, layoutHeatmap } from './heatmap-layout.js';
import { STATE_COLOURS, STATE_LABELS, STATES, type State } from './states.js';

export interface HeatmapGpuInfo extends HeatmapGpu {
  /** One line on why (the worst reason), shown on hover. */
  readonly why: string;
}

/** Rack names usually repeat their cluster's (`dc1-r4` in `dc1`): the block shows the part after it. */
const shortRack = (rack: string, cluster: string) =>
  (rack.startsWith(`${cluster}-`) ? rack.slice(cluster.length + 1) : rack).slice(0, 12);
const clusterOf = (l: { y: number }, layout: HeatmapLayout) =>
  layout.labels.filter((c) => c.kind === 'cluster' && c.y <= l.y).at(-1)?.text ?? '';

function draw(canvas: HTMLCanvasElement, layout: HeatmapLayout): void {
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.ceil(layout.width * dpr);
  canvas.height = Math.ceil(layout.height * dpr);
  canvas.style.width = `${layout.width}px`;
  canvas.style.height = `${layout.height}px`;
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, layout.width, layout.height);
  // One fill style per state, not per cell.
  for (const state of STATES) {
    ctx.fillStyle = STATE_COLOURS[state];
    for (const c of layout.cells) if (c.gpu.state === state) ctx.fillRect(c.x, c.y, layout.size, layout.size);
  }
  ctx.fillStyle = '#222';
  ctx.textBaseline = 'top';
  for (const l of layout.labels) {
    ctx.font = l.kind === 'cluster' ? 'bold 13px system-ui, sans-serif' : '10px system-ui, sans-serif';
    ctx.fillText(
      l.kind === 'rack' ? shortRack(l.text, clusterOf(l, layout)) : l.text,
      l.x,
      l.y + (l.kind === 'cluster' ? 3 : 1),
    );
  }
}

function tableHtml(layout: HeatmapLayout, infos: Map<string, HeatmapGpuInfo>): string {
  const half = layout.size / 2;
  const rows = layout.cells.map((c) => {
    const g = c.gpu;
    return (
      `<tr data-device="${esc(g.device)}" data-state="${g.state}" data-x="${c.x + half}" data-y="${c.y + half}">` +
      `<td><a href="#/gpu/${esc(g.device)}">${esc(g.device)}</a></td><td>${esc(g.cluster)}</td><td>${esc(g.rack)}</td>` +
      `<td>${STATE_LABELS[g.state]}</td><td>${esc(infos.get(g.device)?.why ?? '')}</td></tr>`
    );
  });
  return (
    '<thead><tr><th>GPU</th><th>cluster</th><th>rack</th><th>state</th><th>why</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody>`
  );
}

export function renderHeatmap(
  canvas: HTMLCanvasElement,
  table: HTMLTableElement,
  tooltip: HTMLElement,
  gpus: readonly HeatmapGpuInfo[],
  width: number,
): HeatmapLayout {
  performance.mark('heatmap-start');
  const layout = layoutHeatmap(gpus, width);
  draw(canvas, layout);
  performance.mark('heatmap-drawn');
  performance.measure('heatmap-render', 'heatmap-start', 'heatmap-drawn');
  const infos = new Map(gpus.map((g) => [g.device, g]));
  table.innerHTML = tableHtml(layout, infos);
  performance.mark('heatmap-tabled');
  performance.measure('heatmap-table', 'heatmap-drawn', 'heatmap-tabled');

  const at = (ev: MouseEvent) => {
    const r = canvas.getBoundingClientRect();
    const x = ev.clientX - r.left;
    const y = ev.clientY - r.top;
    return layout.cells.find((c) => x >= c.x && x < c.x + layout.size && y >= c.y && y < c.y + layout.size);
  };
  canvas.onmousemove = (ev) => {
    const c = at(ev);
    canvas.style.cursor = c ? 'pointer' : 'default';
    if (!c) {
      tooltip.hidden = true;
      return;
    }
    const info = infos.get(c.gpu.device);
    tooltip.textContent = `${c.gpu.device} · ${STATE_LABELS[c.gpu.state as State]}${info?.why ? ` · ${info.why}` : ''}`;
    tooltip.style.left = `${ev.pageX + 12}px`;
    tooltip.style.top = `${ev.pageY + 12}px`;
    tooltip.hidden = false;
  };
  canvas.onmouseleave = () => {
    tooltip.hidden = true;
  };
  canvas.onclick = (ev) => {
    const c = at(ev);
    if (c) location.hash = `#/gpu/${c.gpu.device}`;
  };
  return layout;
}
