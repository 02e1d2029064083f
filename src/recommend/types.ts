/**
 * Types of the recommendation policy: what `recommend()` reads (`PolicyInput`) and what it returns
 * (`PolicyResult`). Everything here is plain data (JSON-serialisable), so the queue can store inputs and
 * results as they are and replay a decision later.
 *
 * Identifiers: a device (one GPU) is `node/gpu` (see `deviceId()` in src/telemetry/catalogue.ts); nodes, racks,
 * clusters and jobs are their own names. Every time is epoch milliseconds (UTC).
 */

export type Severity = 'info' | 'warning' | 'critical';

export const ACTION_TYPES = [
  'drain_node',
  'reset_gpu',
  'power_cap_gpu',
  'migrate_job',
  'rebalance_job',
  'open_ticket',
  'facility_cooling_alert',
  'restart_application',
  'reboot_node',
] as const;
/** `drain_node` cordons the node and evicts its jobs; `migrate_job` checkpoints a job and moves it off a node
 *  before a planned drain; `rebalance_job` moves a job's work off slow GPUs onto healthier ones. */
export type ActionType = (typeof ACTION_TYPES)[number];

export type TicketKind = 'rma' | 'hardware' | 'maintenance' | 'nvlink' | 'driver';

export type TargetKind = 'node' | 'gpu' | 'job' | 'rack';

export interface ActionTarget {
  readonly kind: TargetKind;
  /** node name, device id `node/gpu`, job id or rack name. */
  readonly id: string;
  readonly cluster: string;
  /** The target's rack; for a job, the rack of the device that triggered the action (else the job's main rack). */
  readonly rack: string;
  /** The node, for node and gpu targets. */
  readonly node?: string;
}

export interface ModelRef {
  readonly name: string;
  readonly version: string;
}

export interface FeatureContribution {
  readonly name: string;
  /** Share of the score this feature explains (any non-negative scale; larger = more). */
  readonly contribution: number;
}

// ---------------------------------------------------------------- input

export interface AnomalyScore {
  readonly device: string;
  readonly ts: number;
  readonly score: number;
  readonly threshold: number;
  readonly model: ModelRef;
  /** Largest contributors first or in any order (the policy sorts). */
  readonly topFeatures: readonly FeatureContribution[];
}

/** A decision threshold and where it came from (the model's model.json, or an operator's override). */
export interface ThresholdRef {
  readonly value: number;
  readonly source: string;
}

export interface FaultPrediction {
  readonly device: string;
  readonly ts: number;
  /** Probability that the device fails within `horizonMs` of `ts`. */
  readonly probability: number;
  /**
   * The model's own alarm threshold (model.json, through src/inference/model-outputs.ts): what the policy acts on
   * unless the operator set `fault.actProbability`. Absent: only an operator override makes the policy act.
   */
  readonly threshold?: ThresholdRef;
  /** The outputs module's alarm at the model's threshold (probability strictly above it). */
  readonly alarm?: boolean;
  readonly horizonMs: number;
  /** Predicted time to failure from `ts`, ms (from the TTF model), when known. */
  readonly ttfMs?: number;
  readonly faultType?: string;
  readonly model: ModelRef;
  /** TTF model, when it is a different model from the fault classifier. */
  readonly ttfModel?: ModelRef;
}

export interface XidEvent {
  readonly device: string;
  readonly code: number;
  readonly ts: number;
}

export interface EccState {
  readonly device: string;
  readonly ts: number;
  /** Single-bit (corrected) ECC errors per hour over the recent window. */
  readonly sbeRatePerHour: number;
  /** Double-bit (uncorrected) ECC errors since the last driver load. */
  readonly dbeCount: number;
  readonly remappedRowsPending: number;
  /** The row remapper could not remap a row (the same condition that raises XID 64). */
  readonly rowRemapFailure: boolean;
}

export interface GpuUtilisation {
  readonly device: string;
  readonly ts: number;
  /** Mean GPU utilisation over the recent window, % (0-100). */
  readonly gpuUtilPct: number;
}

export interface RackFacilityState {
  readonly rack: string;
  readonly ts: number;
  readonly inletTempC?: number;
  readonly coolantTempC?: number;
}

/** One operating point of a job (or GPU) as the throughput model predicts it. */
export interface OperatingPoint {
  readonly powerCapW: number;
  /** Work per second (samples or tokens). */
  readonly throughput: number;
  /** Power the subject draws at this cap, W (sum over its GPUs for a job). */
  readonly powerW: number;
}

export interface PowerCapForecast {
  readonly subject: { readonly kind: 'job' | 'gpu'; readonly id: string };
  readonly ts: number;
  readonly model: ModelRef;
  /** Where the subject runs now. */
  readonly current: OperatingPoint;
  readonly candidates: readonly OperatingPoint[];
}

export interface PlacementForecast {
  readonly jobId: string;
  readonly ts: number;
  readonly model: ModelRef;
  readonly candidates: readonly { readonly devices: readonly string[]; readonly throughput: number }[];
}

export interface TopologyNode {
  readonly id: string;
  /** GPU names on the node (`gpu` part of the device id). */
  readonly gpus: readonly string[];
}
export interface TopologyRack {
  readonly id: string;
  readonly nodes: readonly TopologyNode[];
}
export interface TopologyCluster {
  readonly id: string;
  readonly racks: readonly TopologyRack[];
}
export interface JobPlacement {
  readonly id: string;
  readonly cluster: string;
  /** Device ids `node/gpu` the job runs on. */
  readonly devices: readonly string[];
}
export interface FleetTopology {
  readonly clusters: readonly TopologyCluster[];
  readonly jobs: readonly JobPlacement[];
}

export type ActionRecordStatus =
  | 'proposed'
  | 'approved'
  | 'queued'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'rejected'
  | 'cancelled';

/** An action the queue knows about (open or past). */
export interface ActionRecord {
  readonly id: string;
  readonly type: ActionType;
  readonly target: ActionTarget;
  readonly createdAt: number;
  readonly status: ActionRecordStatus;
  readonly params?: ActionParams;
}

export interface ScopeRef {
  readonly kind: 'cluster' | 'rack' | 'node' | 'gpu' | 'job';
  readonly id: string;
}

export interface MaintenanceWindow {
  readonly scope: ScopeRef;
  readonly start: number;
  readonly end: number;
  readonly note?: string;
}

export interface SafetyState {
  readonly optOut: readonly ScopeRef[];
  readonly maintenanceWindows: readonly MaintenanceWindow[];
  /** Set once the breaker trips; only an operator clears it (and then sets `circuitBreakerResetAt`). */
  readonly circuitBreakerTripped: boolean;
  /** When an operator last reset the breaker: actions before it no longer count towards a new trip. */
  readonly circuitBreakerResetAt?: number;
  readonly dryRun: boolean;
}

export interface PolicyInput {
  readonly now: number;
  readonly anomalies: readonly AnomalyScore[];
  readonly faultPredictions: readonly FaultPrediction[];
  readonly xidEvents: readonly XidEvent[];
  readonly ecc: readonly EccState[];
  readonly utilisation: readonly GpuUtilisation[];
  readonly facility: readonly RackFacilityState[];
  readonly powerForecasts: readonly PowerCapForecast[];
  readonly placementForecasts: readonly PlacementForecast[];
  readonly topology: FleetTopology;
  /** Actions not finished yet (proposed, approved, queued, running). */
  readonly openActions: readonly ActionRecord[];
  /** Recent actions of any status (cooldowns, circuit breaker). May overlap `openActions`. */
  readonly history: readonly ActionRecord[];
  /** Incidents of the last two repeat-offender windows (rules/repeat-offenders.ts); absent: none known. */
  readonly incidents?: readonly Incident[];
  readonly safety: SafetyState;
}

// ---------------------------------------------------------------- output

export type ActionParams = Readonly<Record<string, string | number | boolean | readonly string[]>>;

export type SuppressionReason =
  | 'dedup'
  | 'cooldown'
  | 'blast-radius'
  | 'circuit-breaker'
  | 'opt-out'
  | 'maintenance-window'
  | 'advisory-budget';

export type EvidenceKind =
  | 'xid'
  | 'ecc'
  | 'fault-prediction'
  | 'anomaly'
  | 'straggler'
  | 'power'
  | 'facility'
  | 'repeat-offender';

/**
 * One incident in a device's history: a fault label from the field (operator, RMA, ticket, XID; a `confirmed`
 * outcome writes one too, so outcomes are counted through their labels, once).
 */
export interface Incident {
  /** `node/gpu`. */
  readonly device: string;
  readonly node: string;
  /** Epoch ms the fault started. */
  readonly ts: number;
  readonly faultType: string;
  readonly source: string;
  readonly recommendationId?: string;
}

export interface Evidence {
  readonly kind: EvidenceKind;
  /** What fault this is, independent of when it was seen: part of the action id. */
  readonly key: string;
  readonly devices: readonly string[];
  readonly model?: ModelRef;
  readonly xids?: readonly XidEvent[];
  readonly ecc?: EccState;
  readonly anomaly?: { readonly score: number; readonly threshold: number; readonly multiple: number };
  readonly prediction?: {
    readonly probability: number;
    /** The threshold the policy acted on, and its source (model threshold or operator override). */
    readonly threshold: ThresholdRef;
    readonly horizonMs: number;
    readonly ttfMs?: number;
    readonly predictedFailureAt: number;
  };
  readonly topFeatures?: readonly FeatureContribution[];
  readonly facility?: RackFacilityState & { readonly thermalAnomalies?: number; readonly rackGpus?: number };
  readonly utilisation?: { readonly gpuUtilPct: number; readonly peerMedianPct: number };
  readonly forecast?: { readonly current: OperatingPoint; readonly chosen: OperatingPoint };
  /** Repeat offenders: the incidents within the window that make the device or node one. */
  readonly incidents?: readonly Incident[];
}

export interface ExpectedBenefit {
  readonly summary: string;
  readonly powerSavedW?: number;
  readonly energyPerWorkSavedPct?: number;
  readonly throughputChangePct?: number;
  /** Jobs protected from an unplanned failure. */
  readonly jobsProtected?: number;
  readonly gpusAffected?: number;
}

export interface RecommendedAction {
  /** Stable: hash of type + target + evidence key, so repeated detections of one fault give one id. */
  readonly id: string;
  readonly type: ActionType;
  readonly target: ActionTarget;
  readonly severity: Severity;
  readonly confidence: number;
  readonly expectedBenefit: ExpectedBenefit;
  readonly reason: string;
  readonly evidence: Evidence;
  /** What the executor needs (e.g. `powerCapW`, `ticketKind`, `excludeDevices`). */
  readonly params: ActionParams;
  /** Earliest time to execute (a scheduled, predictive drain); absent: now. */
  readonly notBefore?: number;
  /** Ids of actions that must complete first (e.g. the drain before a reset). */
  readonly dependsOn: readonly string[];
  readonly requiresApproval: boolean;
  readonly status: 'proposed' | 'suppressed';
  readonly suppressedBy?: SuppressionReason;
  /**
   * The id of the open, unapproved recommendation of the same action (type + target) this one replaces because its
   * parameters changed (a power cap the model no longer picks); the dispatcher closes that one as `superseded`.
   */
  readonly supersedes?: string;
  readonly dryRun: boolean;
}

export interface DecisionLogEntry {
  /** The action concerned; absent for a note about the input (stale score, unknown device, no candidate). */
  readonly actionId?: string;
  readonly outcome: 'proposed' | 'suppressed' | 'note';
  readonly rail?: SuppressionReason;
  readonly message: string;
}

export interface CircuitBreakerState {
  /** The breaker is open after this decision (it was already, or it trips now). */
  readonly tripped: boolean;
  /** It trips now: the caller must persist `circuitBreakerTripped = true`. */
  readonly shouldTrip: boolean;
  /** Quarantine-type actions counted in the window (past and open, plus those this run would add). */
  readonly count: number;
  readonly limit: number;
  readonly windowMs: number;
}

/** An open, unapproved recommendation the latest evidence no longer supports (a power cap no forecast backs). */
export interface Withdrawal {
  readonly id: string;
  readonly reason: string;
}

export interface PolicyResult {
  readonly now: number;
  /** Proposed first (highest severity first), then suppressed. */
  readonly actions: readonly RecommendedAction[];
  /** Waiting recommendations to close as `superseded` with nothing in their place (the dispatcher does). */
  readonly withdrawn: readonly Withdrawal[];
  readonly decisions: readonly DecisionLogEntry[];
  readonly circuitBreaker: CircuitBreakerState;
}
