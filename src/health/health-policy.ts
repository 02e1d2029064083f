/**
 * The GPU health states, their order, the fleet score's weights and the time bounds, in one place. The API, the
 * metrics and the fleet score read only this; the README's "GPU health" section documents the same numbers.
 */
import { DEFAULT_POLICY } from '../recommend/config.js';

export const HEALTH_STATES = ['healthy', 'degraded', 'at_risk', 'failing', 'drained', 'unknown'] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

/** Evidence states, mildest first: a GPU takes the worst one any reason implies. */
export const EVIDENCE_ORDER: readonly HealthState[] = ['healthy', 'degraded', 'at_risk', 'failing'];

/**
 * Weight of one GPU in each state in the fleet health score: the share of its capacity that counts as healthy
 * and available. A degraded GPU still runs work (slower, or with corrected errors); an at-risk one runs it but is
 * expected to fail within the fault horizon; failing, drained and silent GPUs give the fleet nothing it can rely on.
 */
export const STATE_WEIGHTS: Readonly<Record<HealthState, number>> = Object.freeze({
  healthy: 1,
  degraded: 0.75,
  at_risk: 0.5,
  failing: 0,
  drained: 0,
  unknown: 0,
});

const MINUTE = 60_000;

export interface HealthPolicy {
  /** No gpu_metrics sample within this long before `now`: the GPU is `unknown` (it stopped reporting). */
  readonly staleAfterMs: number;
  /** A GPU that reported within this long before `now` belongs to the fleet (older ones have left it). */
  readonly inventoryMs: number;
  /** Anomaly scores and fault predictions older than this are not evidence (the policy's own bound). */
  readonly maxScoreAgeMs: number;
  /** XIDs within this long before `now` count (the policy's XID lookback). */
  readonly xidLookbackMs: number;
  /** Score / threshold multiple at which an anomaly makes a GPU at risk rather than degraded (policy: critical). */
  readonly anomalyAtRiskMultiple: number;
  /**
   * A fault prediction makes a GPU at risk when it is an alarm: above its model's own threshold (what the policy
   * acts on), or above this operator override when set (POLICY_FAULT_ACT_PROBABILITY; the policy's own override).
   */
  readonly atRiskProbability?: number;
  /** An alarm at or above this probability (or with failure predicted soon) makes the GPU failing. */
  readonly failingProbability: number;
  /** A predicted failure sooner than this, with a probability at or above `atRiskProbability`, is failing. */
  readonly failingWithinMs: number;
  /** Corrected ECC errors per hour that degrade a GPU; any uncorrected one makes it failing (policy thresholds). */
  readonly sbeRatePerHour: number;
  readonly dbeCount: number;
  readonly remappedRowsPending: number;
}

export const DEFAULT_HEALTH_POLICY: HealthPolicy = Object.freeze({
  staleAfterMs: 5 * MINUTE,
  inventoryMs: 24 * 60 * MINUTE,
  maxScoreAgeMs: DEFAULT_POLICY.maxInputAgeMs,
  xidLookbackMs: DEFAULT_POLICY.xid.lookbackMs,
  anomalyAtRiskMultiple: DEFAULT_POLICY.anomaly.criticalMultiple,
  ...(DEFAULT_POLICY.fault.actProbability === undefined
    ? {}
    : { atRiskProbability: DEFAULT_POLICY.fault.actProbability }),
  failingProbability: DEFAULT_POLICY.fault.criticalProbability,
  failingWithinMs: 30 * MINUTE,
  sbeRatePerHour: DEFAULT_POLICY.ecc.sbeRatePerHour,
  dbeCount: DEFAULT_POLICY.ecc.dbeCount,
  remappedRowsPending: DEFAULT_POLICY.ecc.remappedRowsPending,
});

/** The worse of two evidence states. */
export function worse(a: HealthState, b: HealthState): HealthState {
  return EVIDENCE_ORDER.indexOf(b) > EVIDENCE_ORDER.indexOf(a) ? b : a;
}
