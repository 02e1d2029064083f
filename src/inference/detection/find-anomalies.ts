/**
 * Scores → anomaly intervals the way the strong published pipelines do it (Hundman et al., KDD 2018, "telemanom";
 * Orion's `find_anomalies`), rather than "every window above one fixed threshold":
 *   1. smooth the error series with an exponentially weighted mean (a single noisy window does not alarm);
 *   2. slide a window over the smoothed errors (a third of the series, stepping a tenth of that) and threshold
 *      each at mean + k·std of that window (`sigma`), or at telemanom's dynamic z (`dynamic`: the z that removes
 *      the most mean and spread per flagged point and sequence);
 *   3. pad each hit by `padding` rows on both sides, so nearby hits join one sequence;
 *   4. prune minor peaks: sort the window's sequences by their highest error, with the highest error left below
 *      the threshold appended, and drop every sequence after the last one whose peak stands `pruneMinPercent`
 *      above the next (small bumps next to a real anomaly are its echo, not events of their own);
 *   5. merge sequences from all windows that overlap, or lie at most `mergeGap` rows apart, into intervals with
 *      a start, an end and a peak.
 * Indices are positions in the score array (one per window, i.e. per row from the first full window on).
 */
import type { DetectedInterval } from './intervals.js';

export interface SlidingDetection {
  readonly method: 'sliding-window';
  /** EWMA span of the errors as a fraction of their length (Orion: 0.01), capped at `smoothingMaxSpan`. */
  readonly smoothingFraction: number;
  readonly smoothingMaxSpan: number;
  /** Threshold window as a fraction of the series (Orion: 0.33) and its step as a fraction of it (0.1). */
  readonly windowFraction: number;
  readonly stepFraction: number;
  readonly threshold: 'sigma' | 'dynamic';
  /** `sigma`: k in mean + k·std (Orion's fixed threshold: 4). */
  readonly k: number;
  /** Rows added on both sides of each hit before hits are joined into sequences. */
  readonly padding: number;
  /** Minimum relative drop between consecutive sorted peaks for the higher one to stand alone (Orion: 0.1). */
  readonly pruneMinPercent: number;
  /** Intervals at most this many rows apart become one. */
  readonly mergeGap: number;
  /**
   * Rows of score history a live verdict (scoring API with `latest`, batch forecast) runs the detector over: the
   * length of the series training sized the fractions on, capped. Absent on older models (1000 assumed).
   */
  readonly historyRows?: number;
  /**
   * What the detector runs over: `window` (each window's score, as threshold models report it; older models) or
   * `point` (each row's own error: its value against the mean of the reconstructions of that row by every window of
   * the series holding it, Orion's point-wise `reconstruction_errors`, rather than a 30-row average ending there).
   */
  readonly errors?: 'window' | 'point';
}

/** Pandas' `ewm(span).mean()` (adjust=True): at t, Σ (1−α)^i x[t−i] / Σ (1−α)^i with α = 2 / (span + 1). */
export function ewma(x: ArrayLike<number>, span: number): Float64Array {
  const out = new Float64Array(x.length);
  if (span <= 1) {
    for (let i = 0; i < x.length; i++) out[i] = x[i];
    return out;
  }
  const decay = 1 - 2 / (span + 1);
  let num = 0;
  let den = 0;
  for (let i = 0; i < x.length; i++) {
    num = x[i] + decay * num;
    den = 1 + decay * den;
    out[i] = num / den;
  }
  return out;
}

function meanStd(x: ArrayLike<number>): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  const mean = s / Math.max(x.length, 1);
  let v = 0;
  for (let i = 0; i < x.length; i++) v += (x[i] - mean) ** 2;
  return { mean, std: Math.sqrt(v / Math.max(x.length, 1)) };
}

/** Telemanom's threshold: the z in [0, 10) minimising −(Δmean/mean + Δstd/std) / (points above + sequences²). */
export function dynamicThreshold(errors: ArrayLike<number>, fallbackK = 4): number {
  const { mean, std } = meanStd(errors);
  if (!(std > 0) || !(mean > 0)) return mean + fallbackK * std;
  let best = { cost: Number.POSITIVE_INFINITY, z: fallbackK };
  for (let z = 0.5; z < 10; z += 0.5) {
    const eps = mean + z * std;
    const below: number[] = [];
    let above = 0;
    let sequences = 0;
    for (let i = 0; i < errors.length; i++) {
      if (errors[i] > eps) {
        above++;
        if (i === 0 || !(errors[i - 1] > eps)) sequences++;
      } else below.push(errors[i]);
    }
    if (above === 0 || below.length === 0) continue;
    const b = meanStd(below);
    const cost = -((mean - b.mean) / mean + (std - b.std) / std) / (above + sequences * sequences);
    if (cost < best.cost) best = { cost, z };
  }
  return mean + best.z * std;
}

interface Sequence {
  start: number;
  end: number;
  peak: number;
  peakIndex: number;
}

/** Sequences of one threshold window (indices relative to the window), pruned. */
function windowSequences(e: Float64Array, s: SlidingDetection): Sequence[] {
  const { mean, std } = meanStd(e);
  const threshold = s.threshold === 'dynamic' ? dynamicThreshold(e, s.k) : mean + s.k * std;
  const n = e.length;
  const flagged = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (!(e[i] > threshold)) continue;
    for (let j = Math.max(0, i - s.padding); j <= Math.min(n - 1, i + s.padding); j++) flagged[j] = 1;
  }
  const seqs: Sequence[] = [];
  let maxBelow = 0;
  for (let i = 0; i < n; i++) {
    if (!flagged[i]) {
      maxBelow = Math.max(maxBelow, e[i]);
      continue;
    }
    const last = seqs[seqs.length - 1];
    if (last && last.end === i - 1) {
      last.end = i;
      if (e[i] > last.peak) {
        last.peak = e[i];
        last.peakIndex = i;
      }
    } else seqs.push({ start: i, end: i, peak: e[i], peakIndex: i });
  }
  if (seqs.length === 0) return seqs;
  // Prune: peaks sorted high to low with the highest unflagged error as the floor; keep up to the last peak that
  // stands at least pruneMinPercent above the next one.
  const peaks = [...seqs].sort((a, b) => b.peak - a.peak);
  const values = [...peaks.map((p) => p.peak), maxBelow];
  let keep = 0;
  for (let i = 0; i < peaks.length; i++) {
    if (values[i] > 0 && (values[i] - values[i + 1]) / values[i] >= s.pruneMinPercent) keep = i + 1;
  }
  return peaks.slice(0, keep);
}

/** Merge sequences (global indices) that overlap or lie at most `gap` rows apart. */
function mergeSequences(seqs: Sequence[], gap: number): DetectedInterval[] {
  const sorted = [...seqs].sort((a, b) => a.start - b.start);
  const out: Sequence[] = [];
  for (const q of sorted) {
    const last = out[out.length - 1];
    if (last && q.start <= last.end + 1 + gap) {
      last.end = Math.max(last.end, q.end);
      if (q.peak > last.peak) {
        last.peak = q.peak;
        last.peakIndex = q.peakIndex;
      }
    } else out.push({ ...q });
  }
  return out;
}

export function findAnomalies(scores: ArrayLike<number>, s: SlidingDetection): DetectedInterval[] {
  const n = scores.length;
  if (n === 0) return [];
  const span = Math.min(Math.trunc(n * s.smoothingFraction), s.smoothingMaxSpan);
  const e = ewma(scores, span);
  const size = Math.max(1, Math.min(n, Math.ceil(n * s.windowFraction)));
  const step = Math.max(1, Math.ceil(size * s.stepFraction));
  const all: Sequence[] = [];
  for (let start = 0; ; start += step) {
    const end = Math.min(n, start + size);
    for (const q of windowSequences(e.subarray(start, end), s)) {
      all.push({ start: q.start + start, end: q.end + start, peak: q.peak, peakIndex: q.peakIndex + start });
    }
    if (end >= n) break;
  }
  return mergeSequences(all, s.mergeGap);
}
