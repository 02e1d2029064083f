/**
 * The console's shell: sign-in (an API key pasted once, kept in sessionStorage), the navigation and a hash router
 * (`#/overview`, `#/gpu/<node>/<gpu>`…): the URL never carries the key. Each view is a function that fills the
 * main element from the REST API.
 */
import './style.css';
import { ApiError, api, forgetKey, type Principal, setPrincipal, storedKey, storeKey } from './api.js';
import { destroyCharts } from './chart.js';
import { errorBox, h } from './dom.js';
import { actionsView } from './views/actions.js';
import { gpuView } from './views/gpu.js';
import { incidentsView } from './views/incidents.js';
import { modelsView } from './views/models.js';
import { overviewView } from './views/overview.js';
import { recommendationsView } from './views/recommendations.js';
import { runbookView } from './views/runbook.js';
import { safetyView } from './views/safety.js';
import { scorecardView } from './views/scorecard.js';

export interface Route {
  /** Path segments after `#/`. */
  readonly parts: string[];
  readonly params: URLSearchParams;
}
type View = (main: HTMLElement, route: Route) => Promise<void>;

const VIEWS: Record<string, { title: string; view: View; nav: boolean }> = {
  overview: { title: 'Overview', view: overviewView, nav: true },
  incidents: { title: 'Incidents', view: incidentsView, nav: true },
  recommendations: { title: 'Recommendations', view: recommendationsView, nav: true },
  actions: { title: 'Actions', view: actionsView, nav: true },
  safety: { title: 'Opt-outs & maintenance', view: safetyView, nav: true },
  models: { title: 'Models', view: modelsView, nav: true },
  scorecard: { title: 'Scorecard', view: scorecardView, nav: true },
  gpu: { title: 'GPU', view: gpuView, nav: false },
  runbook: { title: 'Runbook', view: runbookView, nav: false },
};

const main = document.getElementById('view')!;
const nav = document.getElementById('nav')!;
const who = document.getElementById('who')!;

function parseHash(): Route {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = raw.split('?');
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(query) };
}

let generation = 0;
async function show(): Promise<void> {
  const route = parseHash();
  const name = route.parts[0] ?? 'overview';
  const entry = VIEWS[name] ?? VIEWS.overview;
  for (const a of nav.querySelectorAll('a')) a.classList.toggle('current', a.dataset.view === name);
  destroyCharts();
  const mine = ++generation;
  const target = h('div', { class: 'view', 'data-view': name });
  main.replaceChildren(target);
  document.title = `${entry.title} · fleetsense`;
  try {
    await entry.view(target, route);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return signIn('That key was not accepted; paste it again.');
    if (mine === generation) target.append(errorBox(err));
  }
}

function signIn(message = ''): void {
  nav.replaceChildren();
  who.replaceChildren();
  const input = h('input', {
    type: 'password',
    id: 'api-key',
    name: 'api-key',
    autocomplete: 'off',
    required: true,
    placeholder: 'API key',
  });
  const form = h(
    'form',
    { class: 'signin', id: 'signin' },
    h('h1', {}, 'Sign in'),
    h('p', {}, 'Paste an API key. It is kept in this tab only (sessionStorage) and sent in the x-api-key header.'),
    input,
    h('button', { type: 'submit' }, 'Sign in'),
    message ? h('p', { class: 'error', role: 'alert' }, message) : null,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const p = await api<Principal>('/v1/whoami', { key: input.value.trim() });
      storeKey(input.value.trim());
      start(p);
    } catch (err) {
      signIn(err instanceof ApiError && err.status === 401 ? 'That key was not accepted.' : String(err));
    }
  });
  main.replaceChildren(form);
  input.focus();
}

function start(p: Principal): void {
  setPrincipal(p);
  nav.replaceChildren(
    ...Object.entries(VIEWS)
      .filter(([, v]) => v.nav)
      .map(([key, v]) => h('a', { href: `#/${key}`, 'data-view': key }, v.title)),
  );
  const signOut = h('button', { type: 'button', class: 'link' }, 'sign out');
  signOut.addEventListener('click', () => {
    forgetKey();
    setPrincipal(null);
    signIn();
  });
  who.replaceChildren(`${p.name} (${p.role}) `, storedKey() ? signOut : '');
  window.onhashchange = () => void show();
  void show();
}

async function boot(): Promise<void> {
  try {
    // With a stored key, or keyless when the server lets anonymous callers in (API_ANONYMOUS_ROLE, the quick start).
    start(await api<Principal>('/v1/whoami'));
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      forgetKey();
      signIn();
    } else main.replaceChildren(errorBox(err));
  }
}

void boot();
