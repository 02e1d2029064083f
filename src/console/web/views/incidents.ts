/**
 * Incidents: the GPUs flagged now (failing, at risk, degraded), worst first, each with why (every reason that
 * raised it, the anomaly's top features, the fault model's time to failure) and what the automation proposes.
 */
import { api, qs } from '../api.js';
import { deviceLink, fmt, h, runbookLink, stateBadge } from '../dom.js';
import type { Route } from '../main.js';
import { SEVERITY } from '../states.js';
import type { GpuHealth, HealthList, Reason } from '../types.js';

const FLAGGED = new Set(['failing', 'at_risk', 'degraded']);

function topFeatures(r: Reason | undefined): string {
  const list = r?.evidence.topFeatures;
  if (!Array.isArray(list)) return '–';
  return list
    .slice(0, 3)
    .map((f: { name?: string; contribution?: number } | string) =>
      typeof f === 'string'
        ? f
        : `${f.name}${typeof f.contribution === 'number' ? ` (${fmt.num(f.contribution)})` : ''}`,
    )
    .join(', ');
}

function timeToFailure(g: GpuHealth): string {
  const f = g.reasons.find((r) => r.kind === 'fault_prediction');
  const ttf = f?.evidence.ttfMs;
  const at = f?.evidence.predictedFailureAt;
  if (typeof ttf !== 'number') return '–';
  return `~${fmt.minutes(ttf)}${typeof at === 'number' ? ` (by ${fmt.time(at)})` : ''}`;
}

export async function incidentsView(main: HTMLElement, route: Route): Promise<void> {
  const cluster = route.params.get('cluster') ?? undefined;
  const health = await api<HealthList>(`/v1/health/gpus${qs({ cluster })}`);
  const flagged = health.gpus
    .filter((g) => FLAGGED.has(g.state))
    .sort((a, b) => SEVERITY[a.state] - SEVERITY[b.state] || a.device.localeCompare(b.device));
  const silent = health.gpus.filter((g) => g.state === 'unknown').length;
  main.append(
    h('h1', {}, `Incidents (${flagged.length})${cluster ? ` in ${cluster}` : ''}`),
    h(
      'p',
      { class: 'muted' },
      `GPUs failing, at risk or degraded as of ${fmt.time(health.at)}.`,
      silent ? ` ${silent} GPU(s) sent no data for ${fmt.minutes(health.staleAfterMs)}: see the overview.` : '',
    ),
  );
  if (flagged.length === 0) {
    main.append(h('p', { class: 'nodata' }, 'Nothing flagged.'));
    return;
  }
  main.append(
    h(
      'table',
      { class: 'grid', id: 'incidents' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['GPU', 'state', 'why', 'top features', 'time to failure', 'automation'].map((t) => h('th', {}, t)),
        ),
      ),
      h(
        'tbody',
        {},
        flagged.map((g) => {
          const findings = g.reasons.filter((r) => r.state !== 'healthy');
          const recs = g.reasons.filter((r) => r.kind === 'recommendation');
          return h(
            'tr',
            { 'data-device': g.device, 'data-state': g.state },
            h('td', { class: 'device' }, deviceLink(g.device), h('div', { class: 'muted' }, `rack ${g.rack}`)),
            h('td', {}, stateBadge(g.state)),
            h(
              'td',
              {},
              h(
                'ul',
                { class: 'reasons' },
                findings.map((r) =>
                  h(
                    'li',
                    {},
                    r.summary,
                    ' ',
                    h('span', { class: 'muted' }, fmt.ago(r.at)),
                    ' ',
                    runbookLink(r.runbook),
                  ),
                ),
              ),
            ),
            h('td', {}, topFeatures(g.reasons.find((r) => r.kind === 'anomaly'))),
            h('td', {}, timeToFailure(g)),
            h(
              'td',
              {},
              recs.length
                ? recs.map((r) => h('div', {}, h('a', { href: '#/recommendations' }, r.summary)))
                : h('span', { class: 'muted' }, 'nothing proposed'),
            ),
          );
        }),
      ),
    ),
  );
}
