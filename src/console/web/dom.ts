/** Small DOM helpers: elements from tag + attributes + children (text is always text, never parsed as HTML). */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | null | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

/** Escape text for the few places that build HTML strings for speed (the 4,096-row GPU table). */
export const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export const fmt = {
  num: (v: unknown, digits = 2): string =>
    typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits).replace(/\.?0+$/, '') || '0' : '–',
  pct: (v: number | null | undefined): string =>
    typeof v === 'number' && Number.isFinite(v) ? `${(v * 100).toFixed(1)} %` : '–',
  time: (iso: string | number | null | undefined): string => {
    if (iso === null || iso === undefined || iso === '') return '–';
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? '–' : d.toISOString().replace('T', ' ').slice(0, 19) + 'Z';
  },
  ago: (iso: string | number | null | undefined): string => {
    if (iso === null || iso === undefined) return 'never';
    const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
    if (s < 0) return `in ${fmtSpan(-s)}`;
    return `${fmtSpan(s)} ago`;
  },
  minutes: (ms: number | null | undefined): string => (typeof ms === 'number' ? fmtSpan(ms / 1000) : '–'),
};

function fmtSpan(s: number): string {
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} d`;
}

/** A runbook path from the API (`docs/runbooks/x.md#part`) as the console's link to it. */
export function runbookLink(path: string, label = 'runbook'): HTMLAnchorElement {
  const [file, part] = path.replace(/^docs\/runbooks\//, '').split('#');
  return h('a', { href: `#/runbook/${file}${part ? `/${part}` : ''}`, class: 'runbook' }, label);
}

export const deviceLink = (device: string): HTMLAnchorElement => h('a', { href: `#/gpu/${device}` }, device);

export function errorBox(err: unknown): HTMLElement {
  const msg = err instanceof Error ? err.message : String(err);
  return h('p', { class: 'error', role: 'alert' }, msg);
}

export const stateBadge = (state: string): HTMLElement =>
  h('span', { class: `badge s-${state}` }, state.replace('_', ' '));
