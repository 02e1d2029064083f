/** A shipped runbook (GET /runbooks/<name>.md), rendered, scrolled to the linked section. */
import { h } from '../dom.js';
import type { Route } from '../main.js';
import { renderMarkdown } from '../markdown.js';

export async function runbookView(main: HTMLElement, route: Route): Promise<void> {
  const [, file, section] = route.parts;
  if (!file || !/^[\w-]+\.md$/.test(file)) {
    main.append(h('p', { class: 'error' }, 'No such runbook.'));
    return;
  }
  const res = await fetch(`/runbooks/${file}`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`runbook ${file}: HTTP ${res.status}`);
  main.append(
    h(
      'p',
      { class: 'muted' },
      'Runbook ',
      h('a', { href: `/runbooks/${file}` }, `docs/runbooks/${file}`),
      ' (as text)',
    ),
    renderMarkdown(file, await res.text()),
  );
  if (section) document.getElementById(section)?.scrollIntoView();
}
