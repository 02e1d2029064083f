/**
 * Promote, keep or shadow: the candidate and the active version are evaluated on the same held-out window.
 * - Evidence first: the holdout must hold at least `minLabelledEvents` labelled events (`labelledEvents` in the
 *   evaluation: labelled faults, failures or failed units). With fewer, the candidate is not promoted whatever its
 *   figures say (on a holdout without faults a model that never alarms looks perfect): decision `shadow`, the
 *   candidate kept beside the champion until enough labels arrive. Throughput models are exempt: every job row's
 *   measured throughput is their ground truth.
 * - Then the family's headline metric, by at least `minGain` (so noise does not churn versions); a missing metric
 *   on either side means no promotion. The candidate must also not raise more false alarms per device-day, where
 *   both sides report it (fault evaluations and every shadow comparison do).
 * - A shadow comparison (training/evaluate/shadow-comparison.ts: both models' stored scores against the labels of
 *   the shadow period) goes through the same rule with its `eventF1`, `falseAlarmsPerDeviceDay` and `labelledEvents`.
 */
import type { ModelFamily } from '../features/model-metadata.js';

/** The metric each family is judged by (first one both reports have), and its direction. */
export const PROMOTION_METRICS: Readonly<Record<ModelFamily, { names: readonly string[]; higherIsBetter: boolean }>> = {
  anomaly: { names: ['eventF1', 'prAuc', 'pointF1'], higherIsBetter: true },
  fault: { names: ['eventF1', 'f1', 'prAuc'], higherIsBetter: true },
  ttf: { names: ['rmse'], higherIsBetter: false },
  throughput: { names: ['rmse', 'mapePct'], higherIsBetter: false },
};

export type PromotionOutcome = 'promote' | 'keep' | 'shadow';

export interface PromotionDecision {
  readonly promote: boolean;
  /** `promote`; `keep` (not better, or no metric); `shadow` (too few labelled events to judge). */
  readonly decision: PromotionOutcome;
  readonly metric: string;
  readonly candidate: number;
  readonly active: number;
  /** Labelled events in the holdout (NaN when the evaluation did not say). */
  readonly labelledEvents: number;
  readonly minLabelledEvents: number;
  readonly reason: string;
}

export interface PromotionOptions {
  /** Relative gain the headline metric needs. @defaultValue 0.01 */
  readonly minGain?: number;
  /** Labelled events the holdout needs before anything is promoted. @defaultValue 1 */
  readonly minLabelledEvents?: number;
}

export function decidePromotion(
  family: ModelFamily,
  candidate: Readonly<Record<string, number>>,
  active: Readonly<Record<string, number>>,
  opts: PromotionOptions = {},
): PromotionDecision {
  const minGain = opts.minGain ?? 0.01;
  const minLabelledEvents = family === 'throughput' ? 0 : (opts.minLabelledEvents ?? 1);
  const labelledEvents = Number(candidate.labelledEvents ?? Number.NaN);
  const spec = PROMOTION_METRICS[family];
  const metric = spec.names.find((m) => Number.isFinite(candidate[m]) && Number.isFinite(active[m]));
  const c = metric ? candidate[metric] : Number.NaN;
  const a = metric ? active[metric] : Number.NaN;
  const base = { metric: metric ?? spec.names[0], candidate: c, active: a, labelledEvents, minLabelledEvents };
  const evidenced = minLabelledEvents === 0 || labelledEvents >= minLabelledEvents;
  if (!evidenced) {
    const seen = Number.isFinite(labelledEvents) ? labelledEvents : 'no count of';
    return {
      ...base,
      promote: false,
      decision: 'shadow',
      reason: `${seen} labelled event(s) in the holdout, ${minLabelledEvents} needed: the candidate stays in shadow`,
    };
  }
  if (!metric) {
    return { ...base, promote: false, decision: 'keep', reason: `no ${spec.names.join('/')} on both evaluations` };
  }
  const gain = spec.higherIsBetter ? c - a : a - c;
  const better = spec.higherIsBetter ? 'higher' : 'lower';
  const figures = `${metric} ${c.toFixed(4)} vs ${a.toFixed(4)} (${better} is better)`;
  if (!(gain >= minGain * Math.max(1, Math.abs(a)))) {
    return {
      ...base,
      promote: false,
      decision: 'keep',
      reason: `${figures}: not better by ${minGain}; kept the active version`,
    };
  }
  const fc = candidate.falseAlarmsPerDeviceDay;
  const fa = active.falseAlarmsPerDeviceDay;
  if (Number.isFinite(fc) && Number.isFinite(fa) && fc > fa) {
    return {
      ...base,
      promote: false,
      decision: 'keep',
      reason: `${figures}, but ${fc.toFixed(3)} vs ${fa.toFixed(3)} false alarms per device-day: kept the active version`,
    };
  }
  return { ...base, promote: true, decision: 'promote', reason: `${figures}: promoted` };
}
