/**
 * One GPU's drill-down: its state and every reason (with evidence and runbook), its telemetry over a chosen period
 * with the model score and its threshold overlaid, and the recommendations and actions about it.
 */
import { api, qs } from '../api.js';
import { lineChart } from '../chart.js';
import { fmt, h, runbookLink, stateBadge } from '../dom.js';
import type { Route } from '../main.js';
import type { AuditRow, GpuHealth, Recommendation, Series } from '../types.js';
import { auditTable } from './actions.js';
import { kvList } from './kv.js';
import { recommendationTable } from './recommendations.js';

const RANGES: Record<string, number> = { '1h': 3_600_000, '6h': 21_600_000, '24h': 86_400_000, '7d': 604_800_000 };

export async function gpuView(main: HTMLElement, route: Route): Promise<void> {
  const [, node, gpu] = route.parts;
  if (!node || !gpu) {
    main.append(h('p', { class: 'error' }, 'Open a GPU from the overview or the incidents.'));
    return;
  }
  const device = `${node}/${gpu}`;
  const range = RANGES[route.params.get('range') ?? ''] ? route.params.get('range')! : '6h';
  const to = Date.now();
  const from = to - RANGES[range];
  const [health, series, recsGpu, recsNode, onGpu, onNode] = await Promise.all([
    api<GpuHealth>(`/v1/health/gpus/${encodeURIComponent(node)}/${encodeURIComponent(gpu)}`),
    api<Series>(
      `/v1/telemetry/gpu/series${qs({ device, from: new Date(from).toISOString(), to: new Date(to).toISOString() })}`,
    ),
    api<{ recommendations: Recommendation[] }>(`/v1/recommendations${qs({ target: device, limit: 100 })}`),
    api<{ recommendations: Recommendation[] }>(`/v1/recommendations${qs({ target: node, limit: 100 })}`),
    api<{ actions: AuditRow[] }>(`/v1/actions${qs({ target: device, limit: 100 })}`),
    api<{ actions: AuditRow[] }>(`/v1/actions${qs({ target: node, limit: 100 })}`),
  ]);

  const picker = h(
    'nav',
    { class: 'ranges' },
    Object.keys(RANGES).map((r) =>
      h('a', { href: `#/gpu/${device}?range=${r}`, class: r === range ? 'current' : '' }, r),
    ),
  );
  main.append(
    h(
      'div',
      { class: 'toolbar' },
      h('h1', {}, `GPU ${device} `, stateBadge(health.state)),
      h(
        'span',
        { class: 'muted' },
        `${health.cluster} / ${health.rack} · ${health.gpuModel} · last sample ${fmt.ago(health.lastSampleAt)}`,
      ),
      picker,
    ),
    h(
      'table',
      { class: 'grid', id: 'reasons' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['reason', 'implies', 'summary', 'evidence', 'observed', ''].map((t) => h('th', {}, t)),
        ),
      ),
      h(
        'tbody',
        {},
        health.reasons.map((r) =>
          h(
            'tr',
            { 'data-kind': r.kind, 'data-state': r.state },
            h('td', {}, r.kind),
            h('td', {}, stateBadge(r.state)),
            h('td', {}, r.summary),
            h('td', {}, h('details', {}, h('summary', {}, 'evidence'), kvList(r.evidence))),
            h('td', {}, fmt.time(r.at)),
            h('td', {}, runbookLink(r.runbook)),
          ),
        ),
      ),
    ),
  );

  const charts = h('section', { class: 'charts', id: 'charts' });
  main.append(h('h2', {}, `Telemetry, last ${range} (${series.stepMs / 1000} s buckets)`), charts);
  const f = series.fields;
  const base = { ts: series.ts, range: [from, to] as const };
  lineChart(charts, {
    ...base,
    title: 'Anomaly score',
    series: [
      { label: 'score', values: series.anomaly.score, colour: '#6a3d9a', spanGaps: true },
      { label: 'threshold', values: series.anomaly.threshold, colour: '#b2182b', dashed: true, spanGaps: true },
    ],
  });
  lineChart(charts, {
    ...base,
    title: 'Fault probability',
    series: [
      { label: 'probability', values: series.fault.probability, colour: '#f46d43', spanGaps: true },
      { label: 'alarm threshold', values: series.fault.threshold, colour: '#b2182b', dashed: true, spanGaps: true },
    ],
  });
  lineChart(charts, {
    ...base,
    title: 'Temperature',
    unit: '°C',
    series: [
      { label: 'GPU', values: f.gpu_temp_c, colour: '#d73027' },
      { label: 'HBM', values: f.mem_temp_c, colour: '#fc8d59' },
    ],
  });
  lineChart(charts, {
    ...base,
    title: 'Power',
    unit: 'W',
    series: [
      { label: 'draw', values: f.power_w, colour: '#4575b4' },
      { label: 'limit', values: f.power_limit_w, colour: '#313695', dashed: true },
    ],
  });
  lineChart(charts, {
    ...base,
    title: 'Utilisation',
    unit: '%',
    series: [{ label: 'GPU', values: f.gpu_util, colour: '#1a9850' }],
  });
  lineChart(charts, {
    ...base,
    title: 'Clocks',
    unit: 'MHz',
    series: [
      { label: 'SM', values: f.sm_clock_mhz, colour: '#35978f' },
      { label: 'memory', values: f.mem_clock_mhz, colour: '#8c510a' },
    ],
  });
  lineChart(charts, {
    ...base,
    title: 'ECC and XID',
    series: [
      { label: 'ECC single-bit', values: f.ecc_sbe_volatile, colour: '#e3c000' },
      { label: 'ECC double-bit', values: f.ecc_dbe_volatile, colour: '#b2182b' },
      { label: 'XID events', values: f.xid_count.map((v) => (v ? v : null)), colour: '#000', points: true },
    ],
  });
  const xidCodes = [...new Set(f.xid_last.filter((v): v is number => typeof v === 'number' && v > 0))];
  if (xidCodes.length)
    charts.append(
      h('p', {}, `XID codes seen: ${xidCodes.join(', ')} `, runbookLink('docs/runbooks/gpu-health.md#xid')),
    );

  const actions = [...onGpu.actions, ...onNode.actions].sort((a, b) => b.ts.localeCompare(a.ts));
  main.append(
    h('h2', {}, `Recommendations about ${device} and node ${node}`),
    recommendationTable(
      // The node's own recommendations (a drain) concern this GPU; those for its sibling GPUs do not.
      [...new Map([...recsGpu.recommendations, ...recsNode.recommendations].map((r) => [r.id, r])).values()]
        .filter((r) => r.target.id === device || (r.target.kind === 'node' && r.target.id === node))
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
    ),
    h('h2', {}, `Actions on ${device} and node ${node}`),
    auditTable(actions),
    h('p', {}, h('a', { href: `#/safety${qs({ kind: 'gpu', id: device })}` }, 'Opt this GPU out or plan maintenance…')),
  );
  main.dataset.ready = 'true';
}
