/**
 * The served models: versions with their evaluation metrics and thresholds, the active one, the fault model's
 * calibration (raw score → probability, against the diagonal), and promotion for an admin.
 */
import { api, may } from '../api.js';
import { errorBox, fmt, h } from '../dom.js';
import type { Calibration, ModelSummary } from '../types.js';

const logit = (s: number) =>
  Math.log(Math.min(1 - 1e-7, Math.max(1e-7, s)) / (1 - Math.min(1 - 1e-7, Math.max(1e-7, s))));

/** The map as the server applies it (src/inference/calibration.ts), sampled for the plot. */
function calibrated(c: Calibration, raw: number): number {
  if (c.method === 'platt') return 1 / (1 + Math.exp(-((c.a ?? 1) * logit(raw) + (c.b ?? 0))));
  const x = c.x ?? [];
  const y = c.y ?? [];
  let p = y[0] ?? raw;
  for (let i = 0; i < x.length && x[i] <= raw; i++) p = y[i];
  return p;
}

/** Calibration plot on a small canvas: the map and the diagonal (a raw score taken as a probability). */
function calibrationPlot(c: Calibration, threshold: number | null): HTMLElement {
  const size = 220;
  const pad = 28;
  const canvas = h('canvas', { width: size, height: size, class: 'calibration', 'aria-label': 'calibration map' });
  const ctx = canvas.getContext('2d')!;
  const X = (v: number) => pad + v * (size - pad - 8);
  const Y = (v: number) => size - pad - v * (size - pad - 8);
  ctx.strokeStyle = '#999';
  ctx.strokeRect(X(0), Y(1), X(1) - X(0), Y(0) - Y(1));
  ctx.setLineDash([4, 4]);
  ctx.beginPath();
  ctx.moveTo(X(0), Y(0));
  ctx.lineTo(X(1), Y(1));
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.strokeStyle = '#f46d43';
  ctx.lineWidth = 2;
  ctx.beginPath();
  for (let i = 0; i <= 200; i++) {
    const raw = i / 200;
    const p = calibrated(c, raw);
    if (i === 0) ctx.moveTo(X(raw), Y(p));
    else ctx.lineTo(X(raw), Y(p));
  }
  ctx.stroke();
  if (threshold !== null) {
    ctx.strokeStyle = '#b2182b';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(X(0), Y(threshold));
    ctx.lineTo(X(1), Y(threshold));
    ctx.stroke();
  }
  ctx.fillStyle = '#333';
  ctx.font = '10px system-ui, sans-serif';
  ctx.fillText('raw score →', X(0.55), size - 8);
  ctx.save();
  ctx.translate(10, Y(0.2));
  ctx.rotate(-Math.PI / 2);
  ctx.fillText('probability →', 0, 0);
  ctx.restore();
  return h(
    'figure',
    { class: 'calib' },
    canvas,
    h('figcaption', {}, `${c.method} map (orange), diagonal (dashed), alarm threshold (red)`),
  );
}

function modelCard(m: ModelSummary, rerender: () => void): HTMLElement {
  const metricNames = [...new Set(m.versions.flatMap((v) => Object.keys(v.metrics)))];
  const rows = m.versions.map((v) => {
    const promote = h('button', { type: 'button' }, 'promote');
    promote.addEventListener('click', async () => {
      if (!confirm(`Make ${m.name} ${v.version} the active version on every replica?`)) return;
      promote.disabled = true;
      try {
        await api(`/v1/models/${encodeURIComponent(m.name)}/promote`, { method: 'POST', body: { version: v.version } });
        rerender();
      } catch (err) {
        promote.after(errorBox(err));
        promote.disabled = false;
      }
    });
    return h(
      'tr',
      { class: v.active ? 'active' : '', 'data-version': v.version },
      h('td', {}, v.version, v.active ? h('strong', {}, ' (active)') : ''),
      h('td', {}, fmt.time(v.createdAt)),
      h('td', {}, fmt.num(v.threshold, 4)),
      metricNames.map((k) => h('td', {}, fmt.num(v.metrics[k], 4))),
      h('td', {}, v.executionProvider ?? (v.loaded ? '' : 'not loaded')),
      h('td', {}, !v.active && may('admin') ? promote : ''),
    );
  });
  const active = m.versions.find((v) => v.active);
  return h(
    'section',
    { class: 'model', 'data-model': m.name },
    h(
      'h2',
      {},
      `${m.name} `,
      h('span', { class: 'muted' }, `${m.family} · active ${m.activeVersion} on ${m.executionProvider}`),
    ),
    h(
      'p',
      { class: 'muted' },
      `${m.features.length} features, window ${m.windowLength} × ${m.samplePeriodMs / 1000} s`,
      m.horizonMinutes ? `, horizon ${m.horizonMinutes} min` : '',
    ),
    h(
      'table',
      { class: 'grid' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['version', 'created', 'threshold', ...metricNames, 'provider', ''].map((t) => h('th', {}, t)),
        ),
      ),
      h('tbody', {}, rows),
    ),
    m.family === 'fault'
      ? m.calibration
        ? h(
            'div',
            { class: 'calibration-box' },
            calibrationPlot(m.calibration, active?.threshold ?? null),
            metricsList(m.calibration.metrics),
          )
        : h('p', { class: 'nodata' }, 'No calibration map in this version: its probability is the raw network output.')
      : '',
  );
}

const metricsList = (metrics: Record<string, number>) =>
  h(
    'dl',
    { class: 'kv' },
    Object.entries(metrics).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, fmt.num(v, 4))]),
  );

export async function modelsView(main: HTMLElement): Promise<void> {
  const { models } = await api<{ models: ModelSummary[] }>('/v1/models');
  const rerender = () => {
    main.replaceChildren();
    void modelsView(main).catch((err) => main.append(errorBox(err)));
  };
  main.append(
    h('h1', {}, `Models (${models.length})`),
    may('admin') ? '' : h('p', { class: 'muted' }, 'Promoting a version needs an admin key.'),
    ...models.map((m) => modelCard(m, rerender)),
  );
}
