/**
 * An evidence or benefit object as a short definition list. Nested objects are flattened one level
 * (`anomaly.threshold`), so the threshold a recommendation crossed reads as its own line; deeper values as JSON.
 */
import { fmt, h } from '../dom.js';

const SKIP = new Set(['devices', 'key', 'kind']);

function flatten(obj: Record<string, unknown>): [string, unknown][] {
  return Object.entries(obj).flatMap(([k, v]): [string, unknown][] =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.entries(v as Record<string, unknown>).map(([k2, v2]): [string, unknown] => [`${k}.${k2}`, v2])
      : [[k, v]],
  );
}

const show = (v: unknown): string => {
  if (typeof v === 'number') return fmt.num(v, 3);
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((x) => x && typeof x === 'object' && 'name' in x))
    return v.map((x) => (x as { name: string }).name).join(', ');
  return JSON.stringify(v).slice(0, 160);
};

export function kvList(obj: Record<string, unknown>, cls = 'kv'): HTMLElement {
  const entries = flatten(obj).filter(([k, v]) => !SKIP.has(k) && v !== null && v !== undefined && v !== '');
  if (entries.length === 0) return h('span', { class: 'muted' }, '–');
  return h(
    'dl',
    { class: cls },
    entries.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, show(v))]),
  );
}
