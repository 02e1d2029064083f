/**
 * The recommendation queue: each with its reason, evidence (the scores and the threshold they crossed), expected
 * benefit and runbook; an operator approves or rejects in place (POST …/approve | …/reject, audited by the API).
 */
import { api, may, qs } from '../api.js';
import { errorBox, fmt, h, runbookLink } from '../dom.js';
import type { Route } from '../main.js';
import type { Recommendation } from '../types.js';
import { kvList } from './kv.js';

const STATUSES = ['proposed', 'approved', 'queued', 'executed', 'failed', 'rejected', 'suppressed', 'superseded'];

function targetOf(r: Recommendation): Node {
  const t = r.target;
  const device = t.kind === 'gpu' ? t.id : t.kind === 'node' ? `${t.id}/0` : null;
  return h(
    'span',
    {},
    h('div', { class: 'muted' }, t.kind),
    device ? h('a', { href: `#/gpu/${device}` }, t.id) : t.id,
    h('div', { class: 'muted' }, `rack ${t.rack}`),
  );
}

/** The benefit's summary as a sentence, its figures beneath. */
function benefitOf(r: Recommendation): Node {
  const { summary, ...figures } = r.expectedBenefit;
  return h(
    'div',
    {},
    typeof summary === 'string' ? h('p', { class: 'tight' }, summary) : '',
    Object.keys(figures).length ? kvList(figures) : '',
  );
}

export function recommendationRow(r: Recommendation, onChange?: () => void): HTMLTableRowElement {
  const row = h('tr', { 'data-rec-id': r.id, 'data-status': r.status });
  const decide = async (verb: 'approve' | 'reject', button: HTMLButtonElement) => {
    for (const b of row.querySelectorAll('button')) b.disabled = true;
    button.textContent = `${verb === 'approve' ? 'approving' : 'rejecting'}…`;
    try {
      const note = verb === 'reject' ? (row.querySelector('input') as HTMLInputElement | null)?.value : undefined;
      const updated = await api<Recommendation>(`/v1/recommendations/${encodeURIComponent(r.id)}/${verb}`, {
        method: 'POST',
        ...(verb === 'reject' ? { body: note ? { note } : {} } : {}),
      });
      row.replaceWith(recommendationRow(updated, onChange));
      onChange?.();
    } catch (err) {
      row.lastElementChild?.append(errorBox(err));
      for (const b of row.querySelectorAll('button')) b.disabled = false;
      button.textContent = verb;
    }
  };
  const actions = h('td', { class: 'decide' });
  if (may('operator') && (r.status === 'proposed' || r.status === 'approved')) {
    const approve = h('button', { type: 'button', class: 'approve' }, 'approve');
    const reject = h('button', { type: 'button', class: 'reject' }, 'reject');
    approve.addEventListener('click', () => decide('approve', approve));
    reject.addEventListener('click', () => decide('reject', reject));
    actions.append(
      r.status === 'proposed' ? approve : '',
      reject,
      h('input', { type: 'text', placeholder: 'note (reject)', 'aria-label': 'note', maxlength: 1000 }),
    );
  } else {
    actions.append(
      h(
        'span',
        { class: 'muted' },
        r.approvedBy ? `approved by ${r.approvedBy}` : r.rejectedBy ? `rejected by ${r.rejectedBy}` : '',
      ),
    );
  }
  row.append(
    h(
      'td',
      {},
      h('strong', {}, r.type),
      h('div', { class: `sev sev-${r.severity}` }, r.severity),
      r.dryRun ? h('div', { class: 'muted' }, 'dry run') : '',
    ),
    h('td', { class: 'device' }, targetOf(r)),
    h(
      'td',
      { class: 'status' },
      r.status,
      r.suppressedBy ? h('div', { class: 'muted' }, `by ${r.suppressedBy}`) : '',
      r.supersedes ? h('div', { class: 'muted' }, `replaces ${r.supersedes}`) : '',
      r.status === 'superseded' && r.note ? h('div', { class: 'muted' }, r.note) : '',
    ),
    h(
      'td',
      {},
      r.reason,
      h('div', { class: 'muted' }, `confidence ${fmt.num(r.confidence)} · ${fmt.ago(r.createdAt)}`),
    ),
    h('td', {}, kvList(r.evidence)),
    h('td', {}, benefitOf(r)),
    h('td', {}, runbookLink(r.runbook)),
    actions,
  );
  return row;
}

export function recommendationTable(list: Recommendation[]): HTMLElement {
  if (list.length === 0) return h('p', { class: 'nodata' }, 'No recommendations.');
  return h(
    'table',
    { class: 'grid', id: 'recommendations' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['type', 'target', 'status', 'reason', 'evidence', 'expected benefit', 'runbook', 'decision'].map((t) =>
          h('th', {}, t),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      list.map((r) => recommendationRow(r)),
    ),
  );
}

export async function recommendationsView(main: HTMLElement, route: Route): Promise<void> {
  const status = route.params.get('status') ?? 'proposed';
  const target = route.params.get('target') ?? undefined;
  const cluster = route.params.get('cluster') ?? undefined;
  const answer = await api<{ recommendations: Recommendation[] }>(
    `/v1/recommendations${qs({ status: status === 'all' ? undefined : status, target, limit: 500 })}`,
  );
  const list = answer.recommendations.filter((r) => !cluster || r.target.cluster === cluster);
  const picker = h(
    'select',
    { id: 'status', 'aria-label': 'status' },
    ['all', ...STATUSES].map((s) => h('option', { value: s, selected: s === status }, s)),
  );
  picker.addEventListener('change', () => {
    location.hash = `#/recommendations${qs({ status: picker.value, target, cluster })}`;
  });
  main.append(
    h(
      'div',
      { class: 'toolbar' },
      h('h1', {}, `Recommendations (${list.length})${cluster ? ` in ${cluster}` : ''}`),
      picker,
    ),
    may('operator')
      ? h('p', { class: 'muted' }, 'Approve queues the action now; reject closes it for good. Both are audited.')
      : h('p', { class: 'muted' }, 'Read-only: approving and rejecting need an operator key.'),
    recommendationTable(list),
  );
}
