/**
 * Fleet overview: the fleet health score and its trend, the count per state, what the automation is about to do
 * (proposed recommendations, the circuit breaker), and the cluster → rack → node → GPU heatmap.
 */
import { api, qs } from '../api.js';
import { lineChart } from '../chart.js';
import { fmt, h } from '../dom.js';
import { renderHeatmap } from '../heatmap.js';
import type { Route } from '../main.js';
import { STATE_COLOURS, STATE_LABELS, STATES } from '../states.js';
import type { FleetScore, GpuHealth, HealthHistory, HealthList, Recommendation } from '../types.js';

const DAY = 86_400_000;

/** A colour chip; set through the CSSOM, which the page's Content-Security-Policy allows (style attributes not). */
function swatch(colour: string): HTMLElement {
  const el = h('span', { class: 'swatch' });
  el.style.background = colour;
  return el;
}

/** The worst reason of a GPU in one line (the API lists reasons worst first). */
export const why = (g: GpuHealth): string => g.reasons[0]?.summary ?? '';

export async function overviewView(main: HTMLElement, route: Route): Promise<void> {
  const cluster = route.params.get('cluster') ?? undefined;
  const now = Date.now();
  const [health, score, history, proposed, breaker] = await Promise.all([
    api<HealthList>(`/v1/health/gpus${qs({ cluster })}`),
    api<FleetScore>('/v1/health/fleet'),
    api<HealthHistory>(`/v1/health/fleet/history${qs({ from: new Date(now - DAY).toISOString(), cluster })}`),
    api<{ recommendations: Recommendation[] }>('/v1/recommendations?status=proposed&limit=1000'),
    api<{ tripped: boolean; trippedAt?: string }>('/v1/safety/circuit-breaker'),
  ]);
  const scope = cluster ? score.clusters.find((c) => c.cluster === cluster) : score.fleet;
  const picker = h(
    'select',
    { id: 'cluster', 'aria-label': 'cluster' },
    h('option', { value: '' }, 'all clusters'),
    score.clusters.map((c) => h('option', { value: c.cluster, selected: c.cluster === cluster }, c.cluster)),
  );
  picker.addEventListener('change', () => {
    location.hash = `#/overview${qs({ cluster: picker.value })}`;
  });
  const awaiting = proposed.recommendations.filter((r) => !cluster || r.target.cluster === cluster);

  main.append(
    h(
      'div',
      { class: 'toolbar' },
      h('h1', {}, cluster ? `Cluster ${cluster}` : 'Fleet'),
      picker,
      h('span', { class: 'muted' }, `as of ${fmt.time(health.at)}`),
    ),
    h(
      'section',
      { class: 'summary' },
      h(
        'div',
        { class: 'score', id: 'health-score' },
        h('span', { class: 'big' }, scope?.score === null || !scope ? '–' : fmt.pct(scope.score)),
        h('span', {}, 'health score'),
        h('span', { class: 'muted' }, `24 h mean ${fmt.pct(history.mean)}, min ${fmt.pct(history.min)}`),
      ),
      h(
        'ul',
        { class: 'legend', id: 'state-counts' },
        STATES.map((s) =>
          h(
            'li',
            { 'data-state': s, 'data-colour': STATE_COLOURS[s] },
            swatch(STATE_COLOURS[s]),
            `${STATE_LABELS[s]}: `,
            h('strong', {}, health.counts[s]),
          ),
        ),
      ),
      h(
        'div',
        { class: 'automation' },
        h('a', { href: '#/recommendations' }, h('strong', {}, awaiting.length), ' recommendations await a decision'),
        breaker.tripped
          ? h('p', { class: 'error' }, `circuit breaker TRIPPED ${fmt.ago(breaker.trippedAt)}: only tickets pass`)
          : h('p', { class: 'muted' }, 'circuit breaker closed'),
      ),
    ),
  );
  const trend = h('section', { class: 'trend' });
  main.append(trend);
  lineChart(trend, {
    title: 'Health score, last 24 h',
    ts: history.points.map((p) => Date.parse(p.at)),
    series: [{ label: 'score', values: history.points.map((p) => p.score), colour: '#1a9850' }],
    range: [now - DAY, now],
    height: 140,
  });

  const section = h('section', { class: 'heatmap' });
  const canvas = h('canvas', {
    id: 'heatmap',
    role: 'img',
    'aria-label': `health of ${health.gpus.length} GPUs; the table below lists each`,
  });
  const table = h('table', { id: 'gpu-table', class: 'grid' });
  section.append(
    h('h2', {}, `GPUs (${health.gpus.length})`),
    health.gpus.length === 0 ? h('p', { class: 'nodata' }, 'No GPU reported within the inventory window.') : canvas,
    h('details', {}, h('summary', {}, 'Every GPU as a table'), table),
  );
  main.append(section);
  const width = Math.max(320, section.clientWidth - 4);
  const layout = renderHeatmap(
    canvas,
    table,
    document.getElementById('tooltip')!,
    health.gpus.map((g) => ({ ...g, why: why(g) })),
    width,
  );
  canvas.dataset.cells = String(layout.cells.length);
  main.dataset.ready = 'true';
}
