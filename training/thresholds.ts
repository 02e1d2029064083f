/**
 * Choosing an anomaly threshold from validation scores (scores of normal data): a plain percentile, or POT
 * (peaks over threshold, the SPOT method of Siffer et al., KDD 2017): fit a generalised Pareto distribution to
 * the excesses over a high initial quantile t and extrapolate the score exceeded with probability `risk`:
 *   z = t + (σ/γ)·((risk·n/N_t)^(−γ) − 1)        (γ → 0: z = t − σ·ln(risk·n/N_t))
 * POT reaches further into the tail than the data do, which is why it is preferred when there are enough peaks.
 */
import { AppError } from '../src/errors.js';
import type { ThresholdChoice } from '../src/features/model-metadata.js';

export interface ThresholdOptions {
  /** 'auto' (default): POT when at least MIN_PEAKS peaks exceed the initial quantile and the fit is finite. */
  readonly method?: 'percentile' | 'pot' | 'auto';
  /** Percentile method: the quantile of validation scores (default 0.995). */
  readonly q?: number;
  /** POT: probability of a normal score exceeding the threshold (default 1e-3). */
  readonly risk?: number;
  /** POT: quantile used as the initial threshold t (default 0.98). */
  readonly initialQuantile?: number;
}

export interface PotFit {
  readonly value: number;
  readonly t: number;
  readonly sigma: number;
  readonly gamma: number;
  readonly peaks: number;
  readonly n: number;
}

/** Fewer peaks than this make the GPD fit too noisy to trust; 'auto' then falls back to the percentile. */
export const MIN_PEAKS = 30;

function finiteSorted(values: ArrayLike<number>): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) out.push(values[i]);
  if (out.length === 0) throw new AppError('VALIDATION_FAILED', 'no finite scores to choose a threshold from');
  return Float64Array.from(out).sort();
}

function quantileSorted(s: Float64Array, q: number): number {
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

/** The q-quantile with linear interpolation between order statistics (R type 7, numpy's default). */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new AppError('VALIDATION_FAILED', `quantile must be in [0, 1], got ${q}`);
  return quantileSorted(finiteSorted(values), q);
}

/**
 * GPD maximum likelihood by Grimshaw's reduction: with θ = γ/σ the likelihood profiles to one dimension,
 *   γ(θ) = mean(ln(1 + θY)),  σ = γ/θ,  ℓ(θ) = −N·ln(γ/θ) − N·(1 + γ),
 * maximised here by a grid over θ ∈ (−1/max Y, 2(Ȳ − Ymin)/Ymin²] and golden-section refinement, and compared with the
 * exponential case (γ = 0, σ = mean Y). Grimshaw's roots are the stationary points of this ℓ.
 */
export function fitGpd(excesses: ArrayLike<number>): { sigma: number; gamma: number; logLikelihood: number } {
  const y = Array.from(excesses).filter((v) => v > 0 && Number.isFinite(v));
  const n = y.length;
  if (n === 0) throw new AppError('VALIDATION_FAILED', 'no positive excesses to fit a tail to');
  const mean = y.reduce((a, b) => a + b, 0) / n;
  // reduce, not Math.max(...y): spreading a long array overflows the call stack.
  const ymax = y.reduce((m, v) => Math.max(m, v), 0);
  const ymin = y.reduce((m, v) => Math.min(m, v), Number.POSITIVE_INFINITY);
  const gammaOf = (theta: number) => y.reduce((s, v) => s + Math.log1p(theta * v), 0) / n;
  const ll = (theta: number) => {
    const g = gammaOf(theta);
    if (!Number.isFinite(g) || g / theta <= 0 || g < -1) return Number.NEGATIVE_INFINITY;
    return -n * Math.log(g / theta) - n * (1 + g);
  };
  let best = { theta: 0, ll: -n * (1 + Math.log(mean)) };
  // Grid on both sides of 0: negative θ down to the bound −1/max Y (refined close to it, where bounded tails put
  // the maximum); positive θ from "indistinguishable from exponential" up to Grimshaw's bound 2(Ȳ − Ymin)/Ymin².
  const lo = -(1 - 1e-9) / ymax;
  const pLo = 1e-4 / ymax;
  const pHi = Math.max((2 * (mean - ymin)) / (ymin * ymin), 10 / mean);
  const grid: number[] = [];
  const decades = Math.log10(pHi / pLo);
  const steps = Math.ceil(decades * 25);
  for (let k = 0; k <= steps; k++) grid.push(pLo * 10 ** ((decades * k) / steps));
  for (let k = 0; k <= 100; k++) {
    grid.push(lo * 10 ** (-4 + (4 * k) / 100));
    grid.push(lo * (1 - 10 ** (-(9 * k) / 100)));
  }
  grid.sort((a, b) => a - b);
  let bi = -1;
  for (let i = 0; i < grid.length; i++) {
    const l = ll(grid[i]);
    if (l > best.ll) {
      best = { theta: grid[i], ll: l };
      bi = i;
    }
  }
  if (bi >= 0) {
    // Golden section between the grid neighbours (same side of 0 as the best point).
    let a = grid[Math.max(bi - 1, 0)];
    let b = grid[Math.min(bi + 1, grid.length - 1)];
    if (a * best.theta <= 0) a = best.theta * (best.theta > 0 ? 0.5 : 1.0000001);
    if (b * best.theta <= 0) b = best.theta * (best.theta > 0 ? 1.5 : 0.5);
    const r = (Math.sqrt(5) - 1) / 2;
    for (let it = 0; it < 100; it++) {
      const c = b - r * (b - a);
      const d = a + r * (b - a);
      if (ll(c) > ll(d)) b = d;
      else a = c;
    }
    const theta = (a + b) / 2;
    if (ll(theta) > best.ll) best = { theta, ll: ll(theta) };
  }
  if (best.theta === 0) return { sigma: mean, gamma: 0, logLikelihood: best.ll };
  const gamma = gammaOf(best.theta);
  return { sigma: gamma / best.theta, gamma, logLikelihood: best.ll };
}

/** POT threshold (SPOT's initial calibration) on the given scores. */
export function potThreshold(
  scores: ArrayLike<number>,
  opts: { risk?: number; initialQuantile?: number } = {},
): PotFit {
  const risk = opts.risk ?? 1e-3;
  const iq = opts.initialQuantile ?? 0.98;
  if (!(risk > 0 && risk < 1)) throw new AppError('VALIDATION_FAILED', `risk must be in (0, 1), got ${risk}`);
  const s = finiteSorted(scores);
  const t = quantileSorted(s, iq);
  const excesses: number[] = [];
  for (const v of s) if (v > t) excesses.push(v - t);
  const n = s.length;
  const peaks = excesses.length;
  if (peaks === 0) return { value: t, t, sigma: 0, gamma: 0, peaks, n };
  const { sigma, gamma } = fitGpd(excesses);
  const r = (risk * n) / peaks;
  const value = Math.abs(gamma) < 1e-8 ? t - sigma * Math.log(r) : t + (sigma / gamma) * (r ** -gamma - 1);
  return { value, t, sigma, gamma, peaks, n };
}

/** Pick the threshold; both candidates are recorded so a reader sees what was compared. */
export function chooseThreshold(validationScores: ArrayLike<number>, opts: ThresholdOptions = {}): ThresholdChoice {
  const method = opts.method ?? 'auto';
  const q = opts.q ?? 0.995;
  const risk = opts.risk ?? 1e-3;
  const initialQuantile = opts.initialQuantile ?? 0.98;
  const pct = quantile(validationScores, q);
  const pot = potThreshold(validationScores, { risk, initialQuantile });
  const potUsable = pot.peaks >= MIN_PEAKS && Number.isFinite(pot.value);
  const usePot = method === 'pot' || (method === 'auto' && potUsable);
  const params: Record<string, number> = {
    q,
    risk,
    initialQuantile,
    t: pot.t,
    sigma: pot.sigma,
    gamma: pot.gamma,
    peaks: pot.peaks,
    n: pot.n,
    auto: method === 'auto' ? 1 : 0,
  };
  return {
    value: usePot ? pot.value : pct,
    method: usePot ? 'pot' : 'percentile',
    params,
    candidates: { percentile: pct, pot: pot.value },
  };
}
