/** The remediation audit (GET /v1/actions): every execution attempt, newest first, filterable. */
import { api, qs } from '../api.js';
import { fmt, h } from '../dom.js';
import type { Route } from '../main.js';
import type { AuditRow } from '../types.js';

const FILTERS = ['target', 'type', 'result', 'actionId'] as const;

export function auditTable(rows: AuditRow[]): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'nodata' }, 'No actions recorded.');
  return h(
    'table',
    { class: 'grid', id: 'actions' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['created', 'type', 'target', 'result', 'attempt', 'requested / approved', 'worker', 'detail'].map((t) =>
          h('th', {}, t),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((r) =>
        h(
          'tr',
          { 'data-action-id': r.actionId, 'data-result': r.result },
          h('td', {}, fmt.time(r.ts)),
          h('td', {}, r.type, r.dryRun ? h('div', { class: 'muted' }, 'dry run') : ''),
          h('td', {}, r.target, h('div', { class: 'muted' }, r.cluster)),
          h('td', { class: `result r-${r.result}` }, r.result),
          h('td', {}, r.attempt),
          h('td', {}, r.requestedBy, r.approvedBy ? ` / ${r.approvedBy}` : ''),
          h('td', {}, r.worker, h('div', { class: 'muted' }, r.executor)),
          h('td', {}, r.error ? h('span', { class: 'failure' }, r.error) : r.detail || r.reason),
        ),
      ),
    ),
  );
}

export async function actionsView(main: HTMLElement, route: Route): Promise<void> {
  const p = route.params;
  const rows = await api<{ actions: AuditRow[] }>(
    `/v1/actions${qs({ ...Object.fromEntries(FILTERS.map((f) => [f, p.get(f)])), from: p.get('from'), limit: 500 })}`,
  );
  const form = h(
    'form',
    { class: 'filters', id: 'action-filters' },
    FILTERS.map((f) => h('label', {}, f, h('input', { name: f, value: p.get(f) ?? '', size: 14 }))),
    h(
      'label',
      {},
      'since',
      h('input', { name: 'from', type: 'datetime-local', value: p.get('from')?.slice(0, 16) ?? '' }),
    ),
    h('button', { type: 'submit' }, 'filter'),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const data = new FormData(form);
    const from = String(data.get('from') ?? '');
    location.hash = `#/actions${qs({
      ...Object.fromEntries(FILTERS.map((f) => [f, String(data.get(f) ?? '').trim()])),
      from: from ? new Date(`${from}Z`).toISOString() : undefined,
    })}`;
  });
  main.append(h('h1', {}, `Actions (${rows.actions.length})`), form, auditTable(rows.actions));
}
