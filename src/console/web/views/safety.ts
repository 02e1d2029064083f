/**
 * Where the automation must not act: opt-outs and maintenance windows in force (reader), set and ended by an
 * operator (POST/DELETE /v1/safety/…, audited); the circuit breaker, reset by an admin.
 */
import { api, may, qs } from '../api.js';
import { errorBox, fmt, h } from '../dom.js';
import type { Route } from '../main.js';

interface Entry {
  id: string;
  scope: { kind: string; id: string };
  start?: string;
  end?: string;
  setBy: string;
  setAt: string;
  note?: string;
}
const KINDS = ['cluster', 'rack', 'node', 'gpu', 'job'];
const PATHS = { optOut: '/v1/safety/opt-outs', maintenance: '/v1/safety/maintenance-windows' } as const;
const utc = (local: string) => (local ? new Date(`${local}Z`).toISOString() : undefined);

function entriesTable(path: string, entries: Entry[], rerender: () => void): HTMLElement {
  if (entries.length === 0) return h('p', { class: 'nodata' }, 'None in force.');
  return h(
    'table',
    { class: 'grid' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['scope', 'from', 'until', 'set by', 'note', ''].map((t) => h('th', {}, t)),
      ),
    ),
    h(
      'tbody',
      {},
      entries.map((e) => {
        const end = h('button', { type: 'button' }, 'end now');
        end.addEventListener('click', async () => {
          end.disabled = true;
          try {
            await api(`${path}/${encodeURIComponent(e.id)}`, { method: 'DELETE' });
            rerender();
          } catch (err) {
            end.after(errorBox(err));
          }
        });
        return h(
          'tr',
          { 'data-scope-id': e.id },
          h('td', {}, `${e.scope.kind} ${e.scope.id}`),
          h('td', {}, fmt.time(e.start ?? e.setAt)),
          h('td', {}, e.end ? fmt.time(e.end) : 'until ended'),
          h('td', {}, `${e.setBy}, ${fmt.ago(e.setAt)}`),
          h('td', {}, e.note ?? ''),
          h('td', {}, may('operator') ? end : ''),
        );
      }),
    ),
  );
}

function scopeForm(kind: 'optOut' | 'maintenance', preset: URLSearchParams, rerender: () => void): HTMLElement {
  const form = h(
    'form',
    { class: 'filters', id: `${kind}-form` },
    h(
      'label',
      {},
      'scope',
      h(
        'select',
        { name: 'kind' },
        KINDS.map((k) => h('option', { value: k, selected: k === preset.get('kind') }, k)),
      ),
    ),
    h('label', {}, 'id', h('input', { name: 'id', required: true, value: preset.get('id') ?? '', size: 18 })),
    kind === 'maintenance'
      ? [
          h('label', {}, 'start (UTC)', h('input', { name: 'start', type: 'datetime-local', required: true })),
          h('label', {}, 'end (UTC)', h('input', { name: 'end', type: 'datetime-local', required: true })),
        ]
      : h('label', {}, 'until (UTC, optional)', h('input', { name: 'until', type: 'datetime-local' })),
    h('label', {}, 'note', h('input', { name: 'note', size: 24, maxlength: 1000 })),
    h('button', { type: 'submit' }, kind === 'optOut' ? 'opt out' : 'plan window'),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const d = new FormData(form);
    const s = (k: string) => String(d.get(k) ?? '').trim();
    const body = {
      scope: { kind: s('kind'), id: s('id') },
      ...(kind === 'optOut'
        ? s('until')
          ? { until: utc(s('until')) }
          : {}
        : { start: utc(s('start')), end: utc(s('end')) }),
      ...(s('note') ? { note: s('note') } : {}),
    };
    try {
      await api(PATHS[kind], { method: 'POST', body });
      rerender();
    } catch (err) {
      form.append(errorBox(err));
    }
  });
  return form;
}

export async function safetyView(main: HTMLElement, route: Route): Promise<void> {
  const [optOuts, windows, breaker] = await Promise.all([
    api<{ entries: Entry[] }>(PATHS.optOut),
    api<{ entries: Entry[] }>(PATHS.maintenance),
    api<{ tripped: boolean; trippedAt?: string; resetAt?: string }>('/v1/safety/circuit-breaker'),
  ]);
  const rerender = () => {
    location.hash = `#/safety${qs({ t: Date.now() })}`;
  };
  const reset = h('button', { type: 'button' }, 'reset the breaker');
  reset.addEventListener('click', async () => {
    try {
      await api('/v1/safety/circuit-breaker/reset', { method: 'POST' });
      rerender();
    } catch (err) {
      reset.after(errorBox(err));
    }
  });
  main.append(
    h('h1', {}, 'Opt-outs, maintenance windows and the circuit breaker'),
    h(
      'p',
      { class: breaker.tripped ? 'error' : 'muted' },
      breaker.tripped
        ? `Circuit breaker TRIPPED ${fmt.ago(breaker.trippedAt)}: only informing actions (tickets, alerts) pass. `
        : `Circuit breaker closed${breaker.resetAt ? ` (reset ${fmt.ago(breaker.resetAt)})` : ''}.`,
      breaker.tripped && may('admin') ? reset : '',
    ),
    h('h2', {}, 'Opt-outs: proposals for these scopes are suppressed'),
    entriesTable(PATHS.optOut, optOuts.entries, rerender),
    may('operator') ? scopeForm('optOut', route.params, rerender) : '',
    h('h2', {}, 'Maintenance windows: no action runs on these scopes in the window'),
    entriesTable(PATHS.maintenance, windows.entries, rerender),
    may('operator') ? scopeForm('maintenance', route.params, rerender) : '',
    may('operator') ? '' : h('p', { class: 'muted' }, 'Setting and ending these needs an operator key.'),
  );
}
