/**
 * A small Markdown renderer for the shipped runbooks (docs/runbooks/*.md): headings (with GitHub-style ids, so
 * `gpu-health.md#xid` lands on its section), paragraphs, lists, fenced code, tables as text, inline code, bold and
 * links. It builds DOM nodes, never HTML strings from the text, so nothing in a runbook can run as script.
 */
import { h } from './dom.js';

export const slug = (s: string): string =>
  s
    .trim()
    .toLowerCase()
    .replace(/[^\w\s-]/g, '')
    .replace(/\s+/g, '-');

function inline(text: string): (Node | string)[] {
  const out: (Node | string)[] = [];
  const re = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\[[^\]]+\]\([^)]+\))/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index! > last) out.push(text.slice(last, m.index));
    const t = m[0];
    if (t.startsWith('`')) out.push(h('code', {}, t.slice(1, -1)));
    else if (t.startsWith('**')) out.push(h('strong', {}, t.slice(2, -2)));
    else {
      const [, label, href] = /\[([^\]]+)\]\(([^)]+)\)/.exec(t)!;
      out.push(h('a', { href: runbookHref(href) }, label));
    }
    last = m.index! + t.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** Links between runbooks stay in the console; anything else is shown as its text target. */
function runbookHref(href: string): string {
  const m = /^(?:\.\/)?([\w-]+\.md)(?:#([\w-]+))?$/.exec(href);
  if (m) return `#/runbook/${m[1]}${m[2] ? `/${m[2]}` : ''}`;
  if (href.startsWith('#')) return `#/runbook/${currentFile}/${href.slice(1)}`;
  return /^https?:/.test(href) ? href : '#';
}
let currentFile = '';

export function renderMarkdown(file: string, text: string): HTMLElement {
  currentFile = file;
  const root = h('article', { class: 'markdown' });
  const lines = text.split('\n');
  let para: string[] = [];
  let list: HTMLElement | null = null;
  const flush = () => {
    if (para.length) root.append(h('p', {}, inline(para.join(' '))));
    para = [];
    list = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('```')) {
      flush();
      const code: string[] = [];
      while (++i < lines.length && !lines[i].startsWith('```')) code.push(lines[i]);
      root.append(h('pre', {}, h('code', {}, code.join('\n'))));
      continue;
    }
    const heading = /^(#{1,4})\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      const tag = `h${Math.min(4, heading[1].length + 1)}` as 'h2';
      // The health API links `gpu-health.md#xid` to the section "xid: the driver reported an XID": a heading's
      // leading `name:` is an anchor too, beside its full slug.
      const short = /^([\w-]+):/.exec(heading[2])?.[1];
      root.append(
        h(tag, { id: slug(heading[2]) }, short ? h('a', { id: short, class: 'anchor' }) : null, inline(heading[2])),
      );
      continue;
    }
    const item = /^\s*(?:[-*]|\d+\.)\s+(.*)$/.exec(line);
    if (item) {
      if (para.length) flush();
      if (!list) {
        list = h(/^\s*\d/.test(line) ? 'ol' : 'ul');
        root.append(list);
      }
      list.append(h('li', {}, inline(item[1])));
      continue;
    }
    if (line.startsWith('|')) {
      flush();
      root.append(h('pre', { class: 'table' }, line));
      continue;
    }
    if (!line.trim()) flush();
    else if (list && /^\s+/.test(line)) list.lastElementChild?.append(' ', ...inline(line.trim()));
    else para.push(line.trim());
  }
  flush();
  return root;
}
