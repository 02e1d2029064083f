/**
 * Applying a fault model's calibration map (model.json `calibration`, see src/features/model-metadata.ts) to its raw
 * score. Without a map the raw score is returned unchanged, so older model.json files keep working.
 */
import type { Calibration } from '../features/model-metadata.js';

const EPS = 1e-7;

/** logit(s) with s clamped into (0, 1), so saturated sigmoid outputs stay finite. */
export function logit(s: number): number {
  const p = Math.min(1 - EPS, Math.max(EPS, s));
  return Math.log(p / (1 - p));
}

export function calibratedProbability(raw: number, calibration: Calibration | undefined): number {
  if (calibration === undefined || !Number.isFinite(raw)) return raw;
  if (calibration.method === 'platt') return 1 / (1 + Math.exp(-(calibration.a * logit(raw) + calibration.b)));
  const { x, y } = calibration;
  // The last breakpoint at or below raw (binary search; x ascending).
  let lo = 0;
  let hi = x.length - 1;
  if (x.length === 0) return raw;
  if (raw < x[0]) return y[0];
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (x[mid] <= raw) lo = mid;
    else hi = mid - 1;
  }
  return y[lo];
}
