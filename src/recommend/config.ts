/**
 * Every threshold the policy uses, in one object with documented defaults. Rules and rails read only this; a
 * deployment overrides parts of it with `definePolicy({...})`, which merges onto the defaults and validates.
 */
import { AppError } from '../errors.js';
import type { ActionType, Severity, TicketKind } from './types.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface PolicyConfig {
  /** Scores, predictions, utilisation and facility readings older than this are ignored (noted in the log). */
  readonly maxInputAgeMs: number;
  readonly xid: {
    /** XID events older than this do not trigger actions. */
    readonly lookbackMs: number;
  };
  readonly ecc: {
    /** Corrected (SBE) errors per hour above which the memory is serviced before it turns into DBEs. */
    readonly sbeRatePerHour: number;
    /** Uncorrected (DBE) errors that count as a DBE fault even without an XID 48 in the log. */
    readonly dbeCount: number;
    /** Rows pending remap: the GPU needs a reset to apply them. */
    readonly remappedRowsPending: number;
  };
  readonly fault: {
    /**
     * Operator override of the probability above which a predicted failure gets a scheduled drain and maintenance.
     * Unset (the default): the policy acts on each prediction's own model threshold (model.json, chosen in
     * training for the model's alarm budget), which is what evaluation measured.
     */
    readonly actProbability?: number;
    /** Probability at which the prediction is critical (also critical when failure is closer than `urgentMs`). */
    readonly criticalProbability: number;
    readonly urgentMs: number;
    /** The drain is scheduled this long before the predicted failure (never before now). */
    readonly drainLeadMs: number;
  };
  readonly anomaly: {
    /** Score / threshold multiples: at or above 1 the score is anomalous (info); these raise the severity. */
    readonly warningMultiple: number;
    readonly criticalMultiple: number;
    /** Only anomalies at least this severe get a per-GPU action (info-level anomalies are only logged). */
    readonly actSeverity: Severity;
    /** How many top features decide what kind of anomaly it is. */
    readonly topFeatures: number;
  };
  readonly straggler: {
    /** A GPU is a straggler when its utilisation is this many % below the median of its job's other GPUs. */
    readonly utilDeficitPct: number;
    readonly minJobGpus: number;
  };
  readonly facility: {
    /** Rack inlet air, °C: above ASHRAE A1's recommended 27 °C → warning; above its allowable 32 °C → critical. */
    readonly inletWarnC: number;
    readonly inletCriticalC: number;
    /** Liquid coolant supply, °C (ASHRAE W40/W45 upper limits; set to the loop's class). */
    readonly coolantWarnC: number;
    readonly coolantCriticalC: number;
    /** A rack with at least this many GPUs anomalous on temperature features, and this share of its GPUs. */
    readonly thermalAnomalyMinGpus: number;
    readonly thermalAnomalyShare: number;
  };
  readonly power: {
    /** The largest predicted throughput loss a power cap may cost, %. */
    readonly throughputLossBudgetPct: number;
    /** Below this energy-per-unit-of-work saving (%) a cap is not worth an action. */
    readonly minEnergySavingPct: number;
    /**
     * A lower cap never makes a job faster: a candidate predicted faster than the current cap by more than this (%)
     * is the model extrapolating, and is not trusted (measured live: +2 to +7 % "gains" at 30 % lower caps).
     */
    readonly maxPredictedGainPct: number;
    readonly confidence: number;
    /** Power caps open at once across the fleet (they wait for approval): more is a flood nobody reads. */
    readonly maxOpenAdvisories: number;
    /**
     * Percentage points of hysteresis for a cap that already waits for an operator: it stays on offer while the
     * latest forecast puts its throughput loss within the budget plus this much (and a predicted gain within
     * `maxPredictedGainPct` plus this much) and no cap saves this much more energy per unit of work. Without it the quick start's advice for one job went 490 → 560 → 630 → 560 W within
     * six minutes, each forecast's prediction crossing the 5 % budget by a fraction of a point.
     */
    readonly hysteresisPct: number;
  };
  /**
   * Repeat offenders: a GPU, or a node across its GPUs, with at least `incidents` incidents within `windowMs` is
   * quarantined (drain + RMA ticket), at most once per window.
   */
  readonly repeatOffender: { readonly incidents: number; readonly windowMs: number };
  /** Per target and action type: no new action of the type on the target this soon after the last one. */
  readonly cooldownMs: Readonly<Record<ActionType, number>>;
  readonly blastRadius: {
    /** Action types that take a node out of service (counted per node, open ones included). */
    readonly nodeRemovingTypes: readonly ActionType[];
    /** Largest share of a rack's / a cluster's nodes out of service at once. */
    readonly maxRackShare: number;
    readonly maxClusterShare: number;
    /** Always allow this many nodes per rack and per cluster, so a small rack can still lose a dead node. */
    readonly minNodes: number;
  };
  readonly circuitBreaker: {
    /** Quarantine-type actions counted by the breaker. */
    readonly quarantineTypes: readonly ActionType[];
    /** More than `maxActions` of them within `windowMs` trips the breaker. */
    readonly maxActions: number;
    readonly windowMs: number;
    /** Types that stay allowed while the breaker is open: they inform people, they change nothing. */
    readonly exemptTypes: readonly ActionType[];
  };
  readonly approval: {
    /** Actions at or above this severity need an operator's approval. */
    readonly minSeverity: Severity;
    readonly alwaysTypes: readonly ActionType[];
    readonly ticketKinds: readonly TicketKind[];
    /** More node-removing actions than this in one decision: every one of them needs approval. */
    readonly maxAutoNodeRemovals: number;
  };
}

export const DEFAULT_POLICY: PolicyConfig = deepFreeze({
  maxInputAgeMs: 15 * MINUTE,
  xid: { lookbackMs: HOUR },
  ecc: { sbeRatePerHour: 100, dbeCount: 1, remappedRowsPending: 1 },
  fault: { criticalProbability: 0.9, urgentMs: 2 * HOUR, drainLeadMs: 30 * MINUTE },
  anomaly: { warningMultiple: 1.5, criticalMultiple: 3, actSeverity: 'warning', topFeatures: 3 },
  straggler: { utilDeficitPct: 30, minJobGpus: 2 },
  facility: {
    inletWarnC: 27,
    inletCriticalC: 32,
    coolantWarnC: 40,
    coolantCriticalC: 45,
    thermalAnomalyMinGpus: 3,
    thermalAnomalyShare: 0.25,
  },
  power: {
    throughputLossBudgetPct: 5,
    minEnergySavingPct: 2,
    maxPredictedGainPct: 1,
    confidence: 0.8,
    maxOpenAdvisories: 10,
    hysteresisPct: 1,
  },
  repeatOffender: { incidents: 3, windowMs: 30 * DAY },
  cooldownMs: {
    drain_node: 6 * HOUR,
    reset_gpu: HOUR,
    // One piece of energy advice per job a day: the fleet quick start proposed a cap for every job every 30 min.
    power_cap_gpu: 24 * HOUR,
    migrate_job: HOUR,
    rebalance_job: HOUR,
    open_ticket: 24 * HOUR,
    facility_cooling_alert: 30 * MINUTE,
    restart_application: 15 * MINUTE,
    reboot_node: 6 * HOUR,
  },
  blastRadius: {
    nodeRemovingTypes: ['drain_node', 'reboot_node'],
    maxRackShare: 0.25,
    maxClusterShare: 0.1,
    minNodes: 1,
  },
  circuitBreaker: {
    quarantineTypes: ['drain_node', 'reboot_node', 'reset_gpu'],
    maxActions: 10,
    windowMs: HOUR,
    exemptTypes: ['open_ticket', 'facility_cooling_alert'],
  },
  approval: {
    minSeverity: 'critical',
    // A cap slows running jobs down by design: a person decides on energy savings.
    alwaysTypes: ['reboot_node', 'power_cap_gpu'],
    ticketKinds: ['rma'],
    maxAutoNodeRemovals: 1,
  },
});

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, critical: 2 };

type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K];
};
export type PolicyOverrides = DeepPartial<PolicyConfig>;

/** Defaults with `overrides` merged in (arrays replace), validated and frozen. */
export function definePolicy(overrides: PolicyOverrides = {}, base: PolicyConfig = DEFAULT_POLICY): PolicyConfig {
  const merged = merge(base, overrides) as PolicyConfig;
  validatePolicy(merged);
  return deepFreeze(merged);
}

/** Throws `VALIDATION_FAILED` naming the first field out of range. */
export function validatePolicy(p: PolicyConfig): void {
  const fail = (field: string, reason: string): never => {
    throw new AppError('VALIDATION_FAILED', `policy.${field} ${reason}`, { field: `policy.${field}`, reason });
  };
  const nonNegative: [string, number][] = [
    ['maxInputAgeMs', p.maxInputAgeMs],
    ['xid.lookbackMs', p.xid.lookbackMs],
    ['ecc.sbeRatePerHour', p.ecc.sbeRatePerHour],
    ['fault.urgentMs', p.fault.urgentMs],
    ['fault.drainLeadMs', p.fault.drainLeadMs],
    ['power.throughputLossBudgetPct', p.power.throughputLossBudgetPct],
    ['power.minEnergySavingPct', p.power.minEnergySavingPct],
    ['power.maxPredictedGainPct', p.power.maxPredictedGainPct],
    ['power.hysteresisPct', p.power.hysteresisPct],
    ['circuitBreaker.windowMs', p.circuitBreaker.windowMs],
    ['repeatOffender.windowMs', p.repeatOffender.windowMs],
    ['blastRadius.minNodes', p.blastRadius.minNodes],
    ['approval.maxAutoNodeRemovals', p.approval.maxAutoNodeRemovals],
    ['circuitBreaker.maxActions', p.circuitBreaker.maxActions],
    ...Object.entries(p.cooldownMs).map(([k, v]): [string, number] => [`cooldownMs.${k}`, v]),
  ];
  for (const [field, v] of nonNegative) if (!Number.isFinite(v) || v < 0) fail(field, 'must be a finite number >= 0');
  const atLeastOne: [string, number][] = [
    ['ecc.dbeCount', p.ecc.dbeCount],
    ['ecc.remappedRowsPending', p.ecc.remappedRowsPending],
    ['anomaly.topFeatures', p.anomaly.topFeatures],
    ['straggler.minJobGpus', p.straggler.minJobGpus],
    ['facility.thermalAnomalyMinGpus', p.facility.thermalAnomalyMinGpus],
    ['repeatOffender.incidents', p.repeatOffender.incidents],
  ];
  for (const [field, v] of atLeastOne) if (!Number.isInteger(v) || v < 1) fail(field, 'must be an integer >= 1');
  const shares: [string, number][] = [
    ...(p.fault.actProbability !== undefined
      ? [['fault.actProbability', p.fault.actProbability] as [string, number]]
      : []),
    ['fault.criticalProbability', p.fault.criticalProbability],
    ['blastRadius.maxRackShare', p.blastRadius.maxRackShare],
    ['blastRadius.maxClusterShare', p.blastRadius.maxClusterShare],
    ['facility.thermalAnomalyShare', p.facility.thermalAnomalyShare],
    ['power.confidence', p.power.confidence],
  ];
  for (const [field, v] of shares) if (!(v >= 0 && v <= 1)) fail(field, 'must be between 0 and 1');
  if (p.fault.actProbability !== undefined && p.fault.criticalProbability < p.fault.actProbability)
    fail('fault.criticalProbability', 'must be >= fault.actProbability');
  if (!(p.anomaly.warningMultiple >= 1)) fail('anomaly.warningMultiple', 'must be >= 1');
  if (!(p.anomaly.criticalMultiple >= p.anomaly.warningMultiple))
    fail('anomaly.criticalMultiple', 'must be >= anomaly.warningMultiple');
  if (!(p.straggler.utilDeficitPct > 0 && p.straggler.utilDeficitPct < 100))
    fail('straggler.utilDeficitPct', 'must be between 0 and 100');
  if (p.facility.inletCriticalC < p.facility.inletWarnC)
    fail('facility.inletCriticalC', 'must be >= facility.inletWarnC');
  if (p.facility.coolantCriticalC < p.facility.coolantWarnC)
    fail('facility.coolantCriticalC', 'must be >= facility.coolantWarnC');
}

function merge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (Array.isArray(over)) return [...over];
  if (over === null || typeof over !== 'object' || typeof base !== 'object' || base === null) return over;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) out[k] = merge(out[k], v);
  return out;
}

function deepFreeze<T>(o: T): T {
  for (const v of Object.values(o as object)) if (v && typeof v === 'object' && !Object.isFrozen(v)) deepFreeze(v);
  return Object.freeze(o);
}
