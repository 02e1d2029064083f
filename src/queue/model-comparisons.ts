/**
 * One row of `model_comparisons` (written by the retrain role, read by GET /v1/models and the README's audit
 * queries): which candidate was judged against which champion, how (`holdout`: both evaluated on the held-out
 * window after the training range; `shadow`: both models' stored production scores against the labels of the
 * shadow period), both figures, the labelled events and the decision:
 *   promote · keep · shadow (too few labels: run beside the champion) · would_promote (a shadow that earned it,
 *   left for an admin to promote, SHADOW_AUTO_PROMOTE unset) · shadow_pending (the shadow still lacks labels).
 */
import type { TableRow } from '../telemetry/writer.js';
import type { PromotionDecision } from './retrain-decision.js';

export type ComparisonKind = 'holdout' | 'shadow';
export type RecordedDecision = PromotionDecision['decision'] | 'would_promote' | 'shadow_pending';

export interface ComparisonRecord {
  readonly model: string;
  readonly candidateVersion: string;
  readonly activeVersion: string;
  readonly trigger: string;
  readonly kind: ComparisonKind;
  readonly decision: PromotionDecision;
  readonly recorded: RecordedDecision;
  readonly promoted: boolean;
  readonly candidate: Readonly<Record<string, number>>;
  readonly active: Readonly<Record<string, number>>;
  /** The range the figures cover (holdout, or shadow period), epoch ms. */
  readonly range: { readonly from: number; readonly to: number };
}

const finiteOnly = (r: Readonly<Record<string, number>>) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number.isFinite(v) ? v : null]));

export function comparisonRow(r: ComparisonRecord, now = Date.now()): TableRow {
  const d = r.decision;
  return {
    ts: now,
    symbols: {
      model: r.model,
      candidate_version: r.candidateVersion,
      active_version: r.activeVersion,
      trigger: r.trigger,
      metric: d.metric,
    },
    doubles: {
      ...(Number.isFinite(d.candidate) ? { candidate_value: d.candidate } : {}),
      ...(Number.isFinite(d.active) ? { active_value: d.active } : {}),
    },
    longs: { promoted: r.promoted ? 1 : 0 },
    strings: {
      detail: JSON.stringify({
        comparison: r.kind,
        decision: r.recorded,
        labelledEvents: Number.isFinite(d.labelledEvents) ? d.labelledEvents : null,
        minLabelledEvents: d.minLabelledEvents,
        reason: d.reason,
        range: { from: new Date(r.range.from).toISOString(), to: new Date(r.range.to).toISOString() },
        candidate: finiteOnly(r.candidate),
        active: finiteOnly(r.active),
      }),
    },
  };
}
