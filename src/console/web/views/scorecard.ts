/** The automation's scorecard over a chosen period (GET /v1/scorecard): what it caught, what it got wrong. */
import { api, qs } from '../api.js';
import { fmt, h } from '../dom.js';
import type { Route } from '../main.js';

interface Scorecard {
  from: string;
  to: string;
  summary: string[];
  devices: number;
  failures: number;
  caught: number;
  caughtShare: number | null;
  medianLeadMin: number | null;
  recommendations: number;
  falseRecommendations: number;
  falsePerDeviceDay: number | null;
  falseByType: Record<string, number>;
  actionsPerIncident: number | null;
}
const DAY = 86_400_000;
const local = (ms: number) => new Date(ms).toISOString().slice(0, 16);

export async function scorecardView(main: HTMLElement, route: Route): Promise<void> {
  const to = Date.parse(route.params.get('to') ?? '') || Date.now();
  const from = Date.parse(route.params.get('from') ?? '') || to - 7 * DAY;
  const form = h(
    'form',
    { class: 'filters' },
    h('label', {}, 'from (UTC)', h('input', { name: 'from', type: 'datetime-local', value: local(from) })),
    h('label', {}, 'to (UTC)', h('input', { name: 'to', type: 'datetime-local', value: local(to) })),
    h('button', { type: 'submit' }, 'show'),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const d = new FormData(form);
    const iso = (k: string) => new Date(`${d.get(k)}Z`).toISOString();
    location.hash = `#/scorecard${qs({ from: iso('from'), to: iso('to') })}`;
  });
  main.append(h('h1', {}, 'Automation scorecard'), form);
  const s = await api<Scorecard>(
    `/v1/scorecard${qs({ from: new Date(from).toISOString(), to: new Date(to).toISOString() })}`,
  );
  const tile = (label: string, value: string) =>
    h('div', { class: 'tile' }, h('span', { class: 'big' }, value), h('span', {}, label));
  main.append(
    h(
      'section',
      { class: 'tiles', id: 'scorecard' },
      tile('failures caught', `${s.caught} / ${s.failures}`),
      tile('caught share', fmt.pct(s.caughtShare)),
      tile('median lead', s.medianLeadMin === null ? '–' : `${fmt.num(s.medianLeadMin, 0)} min`),
      tile('recommendations', String(s.recommendations)),
      tile('false per device-day', fmt.num(s.falsePerDeviceDay, 4)),
      tile('actions per incident', fmt.num(s.actionsPerIncident)),
    ),
    h('pre', { class: 'summary-lines' }, s.summary.join('\n')),
  );
}
