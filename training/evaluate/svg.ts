/**
 * Small hand-written SVG charts for evaluation reports (no plotting package): lines or dots over linear axes,
 * optional horizontal reference lines, shaded x-spans and a y = x diagonal. Long series are thinned with
 * min/max buckets so spikes survive and files stay small.
 */

export interface PlotSeries {
  readonly name: string;
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  readonly color?: string;
  /** Draw dots instead of a line (scatter). */
  readonly dots?: boolean;
}

export interface ChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly width?: number;
  readonly height?: number;
  readonly hlines?: readonly { readonly y: number; readonly label: string; readonly color?: string }[];
  /** Shaded x ranges (e.g. labelled fault spans). */
  readonly spans?: readonly { readonly start: number; readonly end: number }[];
  /** x values are epoch ms: label ticks as UTC times. */
  readonly xTime?: boolean;
  /** Draw y = x (predicted vs true). */
  readonly diagonal?: boolean;
  readonly xDomain?: readonly [number, number];
  readonly yDomain?: readonly [number, number];
  /** Points kept per series after thinning (default 600). */
  readonly maxPoints?: number;
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd'];

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Keep the first, min and max (in index order) of each bucket, so peaks survive thinning. */
export function downsampleMinMax(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  maxPoints: number,
): { x: number[]; y: number[] } {
  const n = Math.min(x.length, y.length);
  if (n <= maxPoints)
    return { x: Array.from({ length: n }, (_, i) => x[i]), y: Array.from({ length: n }, (_, i) => y[i]) };
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const size = n / buckets;
  const ox: number[] = [];
  const oy: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * size);
    const to = Math.min(n, Math.floor((b + 1) * size));
    let lo = from;
    let hi = from;
    for (let i = from; i < to; i++) {
      if (y[i] < y[lo]) lo = i;
      if (y[i] > y[hi]) hi = i;
    }
    for (const i of lo <= hi ? [lo, hi] : [hi, lo]) {
      if (ox.length > 0 && ox[ox.length - 1] === x[i] && oy[oy.length - 1] === y[i]) continue;
      ox.push(x[i]);
      oy.push(y[i]);
    }
  }
  return { x: ox, y: oy };
}

/** About five round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e5 || a < 1e-3 ? v.toExponential(1) : String(Number(v.toPrecision(4)));
}

const TIME_STEPS = [1, 5, 10, 30, 60, 300, 900, 1800, 3600, 10_800, 21_600, 43_200, 86_400, 604_800].map(
  (s) => s * 1000,
);

/** About five tick times on round UTC units (seconds up to weeks). */
export function timeTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const step =
    TIME_STEPS.find((s) => (hi - lo) / s <= count) ?? Math.ceil((hi - lo) / count / 604_800_000) * 604_800_000;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) out.push(v);
  return out;
}

function fmtTime(ms: number, step: number, span: number): string {
  const iso = new Date(ms).toISOString();
  if (step >= 86_400_000) return iso.slice(5, 10);
  if (span > 86_400_000) return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
  return step >= 60_000 ? iso.slice(11, 16) : iso.slice(11, 19);
}

function extent(values: number[][], pad: number): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const vs of values) {
    for (const v of vs) {
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (!Number.isFinite(lo)) return [0, 1];
  if (hi === lo) return [lo - 1, hi + 1];
  const p = (hi - lo) * pad;
  return [lo - p, hi + p];
}

export function chart(series: readonly PlotSeries[], o: ChartOptions): string {
  const W = o.width ?? 640;
  const H = o.height ?? 320;
  const m = { l: 64, r: 16, t: 28, b: 44 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const thin = series.map((s) => ({ ...s, ...downsampleMinMax(s.x, s.y, o.maxPoints ?? 600) }));
  const [x0, x1] = o.xDomain ?? extent([...thin.map((s) => s.x), ...(o.spans ?? []).map((s) => [s.start, s.end])], 0);
  const [y0, y1] = o.yDomain ?? extent([...thin.map((s) => s.y), ...(o.hlines ?? []).map((h) => [h.y])], 0.05);
  const sx = (v: number) => m.l + ((v - x0) / (x1 - x0 || 1)) * pw;
  const sy = (v: number) => m.t + ph - ((v - y0) / (y1 - y0 || 1)) * ph;
  const r = (v: number) => v.toFixed(1);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="16" text-anchor="middle" font-size="13">${escapeXml(o.title)}</text>`,
  ];
  for (const s of o.spans ?? []) {
    const a = Math.max(sx(s.start), m.l);
    const b = Math.min(sx(s.end), m.l + pw);
    if (b >= a)
      parts.push(
        `<rect x="${r(a)}" y="${m.t}" width="${r(Math.max(b - a, 1))}" height="${ph}" fill="#d62728" fill-opacity="0.15"/>`,
      );
  }
  for (const t of niceTicks(y0, y1)) {
    parts.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${r(sy(t))}" y2="${r(sy(t))}" stroke="#eee"/>`);
    parts.push(`<text x="${m.l - 4}" y="${r(sy(t) + 4)}" text-anchor="end">${fmt(t)}</text>`);
  }
  const xt = o.xTime ? timeTicks(x0, x1) : niceTicks(x0, x1);
  for (const t of xt) {
    const label = o.xTime ? fmtTime(t, xt.length > 1 ? xt[1] - xt[0] : x1 - x0, x1 - x0) : fmt(t);
    parts.push(`<text x="${r(sx(t))}" y="${m.t + ph + 14}" text-anchor="middle">${label}</text>`);
  }
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  parts.push(`<text x="${m.l + pw / 2}" y="${H - 8}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`);
  parts.push(
    `<text transform="translate(14 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(o.yLabel)}</text>`,
  );
  if (o.diagonal) {
    const a = Math.max(x0, y0);
    const b = Math.min(x1, y1);
    if (b > a)
      parts.push(
        `<line x1="${r(sx(a))}" y1="${r(sy(a))}" x2="${r(sx(b))}" y2="${r(sy(b))}" stroke="#888" stroke-dasharray="4 3"/>`,
      );
  }
  thin.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length];
    const pts = s.x.map((x, i) => [sx(x), sy(s.y[i])]).filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
    if (s.dots)
      for (const [a, b] of pts)
        parts.push(`<circle cx="${r(a)}" cy="${r(b)}" r="1.6" fill="${color}" fill-opacity="0.6"/>`);
    else if (pts.length > 0)
      parts.push(
        `<polyline fill="none" stroke="${color}" stroke-width="1.2" points="${pts.map(([a, b]) => `${r(a)},${r(b)}`).join(' ')}"/>`,
      );
    parts.push(`<text x="${m.l + 8}" y="${m.t + 14 + 13 * k}" fill="${color}">${escapeXml(s.name)}</text>`);
  });
  for (const h of o.hlines ?? []) {
    const color = h.color ?? '#d62728';
    parts.push(
      `<line x1="${m.l}" x2="${m.l + pw}" y1="${r(sy(h.y))}" y2="${r(sy(h.y))}" stroke="${color}" stroke-dasharray="6 3"/>`,
    );
    parts.push(
      `<text x="${m.l + pw - 4}" y="${r(sy(h.y) - 4)}" text-anchor="end" fill="${color}">${escapeXml(h.label)}</text>`,
    );
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
