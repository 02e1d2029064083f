/**
 * Promote or keep: the candidate and the active version are evaluated on the same held-out window, and the
 * candidate wins only on the family's headline metric, by at least `minGain` (so noise does not churn versions).
 * A metric missing on either side means no promotion.
 */
import type { ModelFamily } from '../features/model-metadata.js';

/** The metric each family is judged by (first one both reports have), and its direction. */
export const PROMOTION_METRICS: Readonly<Record<ModelFamily, { names: readonly string[]; higherIsBetter: boolean }>> = {
  anomaly: { names: ['eventF1', 'prAuc', 'pointF1'], higherIsBetter: true },
  fault: { names: ['f1', 'prAuc'], higherIsBetter: true },
  ttf: { names: ['rmse'], higherIsBetter: false },
  throughput: { names: ['rmse', 'mapePct'], higherIsBetter: false },
};

export interface PromotionDecision {
  readonly promote: boolean;
  readonly metric: string;
  readonly candidate: number;
  readonly active: number;
  readonly reason: string;
}

export function decidePromotion(
  family: ModelFamily,
  candidate: Readonly<Record<string, number>>,
  active: Readonly<Record<string, number>>,
  minGain = 0.01,
): PromotionDecision {
  const spec = PROMOTION_METRICS[family];
  const metric = spec.names.find((m) => Number.isFinite(candidate[m]) && Number.isFinite(active[m]));
  if (!metric) {
    return {
      promote: false,
      metric: spec.names[0],
      candidate: Number.NaN,
      active: Number.NaN,
      reason: `no ${spec.names.join('/')} on both evaluations`,
    };
  }
  const c = candidate[metric];
  const a = active[metric];
  const gain = spec.higherIsBetter ? c - a : a - c;
  const promote = gain >= minGain * Math.max(1, Math.abs(a));
  const better = spec.higherIsBetter ? 'higher' : 'lower';
  return {
    promote,
    metric,
    candidate: c,
    active: a,
    reason: promote
      ? `${metric} ${c.toFixed(4)} vs ${a.toFixed(4)} (${better} is better): promoted`
      : `${metric} ${c.toFixed(4)} vs ${a.toFixed(4)} (${better} is better): not better by ${minGain}; kept the active version`,
  };
}
