/**
 * A GPU's health: evidence in, state and reasons out. Pure and synchronous; the API, the fleet score and the
 * metrics all call `gpuHealth`, none re-implements it.
 *
 * The state is the worst one any reason implies (healthy < degraded < at_risk < failing), except that a GPU on a
 * node whose drain was executed (not a dry run) is `drained`, and one with no sample within `staleAfterMs` is
 * `unknown`: a silent GPU is never `healthy`. Every reason says which state it implies, its evidence, its time and
 * its runbook; evidence that was looked at and found fine implies `healthy` (listed on request).
 */
import type { FeatureContribution, Severity } from '../recommend/types.js';
import { xidRule } from '../recommend/xid-rules.js';
import { DEFAULT_HEALTH_POLICY, type HealthPolicy, type HealthState, worse } from './health-policy.js';
import { actionRunbook, healthRunbook, type ReasonKind } from './runbooks.js';

export interface GpuIdentity {
  /** `node/gpu` (src/telemetry/catalogue.ts `deviceId`). */
  readonly device: string;
  readonly cluster: string;
  readonly rack: string;
  readonly node: string;
  readonly gpu: string;
  readonly gpuModel: string;
}

export interface AnomalyEvidence {
  readonly ts: number;
  readonly score: number;
  readonly threshold: number;
  readonly model: string;
  readonly version: string;
  readonly topFeatures: readonly FeatureContribution[];
}

export interface FaultEvidence {
  readonly ts: number;
  readonly probability: number;
  /** The model's alarm threshold (fault_predictions.threshold), when it has one. */
  readonly threshold?: number;
  readonly horizonMs: number;
  /** Predicted time to failure from `ts`, when a ttf model is served. */
  readonly ttfMs?: number;
  readonly model: string;
  readonly version: string;
}

export interface EccEvidence {
  /** The newest sample's counters. */
  readonly ts: number;
  readonly dbeVolatile: number;
  readonly remappedRowsPending: number;
  /** Corrected errors counted over the last `windowMs` (max − min of the counter). */
  readonly sbeDelta: number;
  readonly windowMs: number;
}

export interface RecommendationEvidence {
  readonly id: string;
  readonly type: string;
  /** Store status: proposed, approved, queued, executed, ... */
  readonly status: string;
  readonly severity: Severity;
  readonly reason: string;
  readonly targetKind: string;
  readonly targetId: string;
  /** The node, for node and gpu targets. */
  readonly targetNode?: string;
  /** Devices the evidence names (the GPU that raised it). */
  readonly devices: readonly string[];
  readonly dryRun: boolean;
  readonly updatedAt: number;
  /** What raised it (the policy's evidence kind, e.g. `repeat-offender`). */
  readonly evidenceKind?: string;
  /** Incidents behind a repeat-offender quarantine. */
  readonly incidents?: number;
}

export interface GpuEvidence {
  readonly identity: GpuIdentity;
  /** Newest gpu_metrics sample; absent when none in the inventory window. */
  readonly lastSampleTs?: number;
  readonly anomaly?: AnomalyEvidence;
  readonly fault?: FaultEvidence;
  /** XIDs seen in the lookback (any order). */
  readonly xids: readonly { readonly code: number; readonly ts: number }[];
  readonly ecc?: EccEvidence;
  /** Recommendations targeting this GPU, its node, or naming it in their evidence. */
  readonly recommendations: readonly RecommendationEvidence[];
}

export interface HealthReason {
  readonly kind: ReasonKind;
  /** The state this reason alone implies. */
  readonly state: HealthState;
  readonly summary: string;
  readonly ts: number;
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly runbook: string;
}

export interface GpuHealth {
  readonly identity: GpuIdentity;
  readonly state: HealthState;
  readonly lastSampleTs?: number;
  /** Worst first. */
  readonly reasons: readonly HealthReason[];
}

const OPEN = new Set(['proposed', 'approved', 'queued']);
const RANK: Readonly<Record<HealthState, number>> = {
  drained: 5,
  unknown: 4,
  failing: 3,
  at_risk: 2,
  degraded: 1,
  healthy: 0,
};
const minutes = (ms: number) => Math.round(ms / 60_000);

export function gpuHealth(ev: GpuEvidence, now: number, policy: HealthPolicy = DEFAULT_HEALTH_POLICY): GpuHealth {
  const reasons: HealthReason[] = [
    ...reportingReasons(ev, now, policy),
    ...anomalyReasons(ev.anomaly, now, policy),
    ...faultReasons(ev.fault, now, policy),
    ...xidReasons(ev.xids, now, policy),
    ...eccReasons(ev.ecc, policy),
    ...recommendationReasons(ev),
  ].sort((a, b) => RANK[b.state] - RANK[a.state] || b.ts - a.ts);
  let state: HealthState = 'healthy';
  for (const r of reasons) {
    if (r.state === 'drained' || r.state === 'unknown') continue;
    state = worse(state, r.state);
  }
  if (reasons.some((r) => r.state === 'unknown')) state = 'unknown';
  if (reasons.some((r) => r.state === 'drained')) state = 'drained';
  return { identity: ev.identity, state, lastSampleTs: ev.lastSampleTs, reasons };
}

function reportingReasons(ev: GpuEvidence, now: number, p: HealthPolicy): HealthReason[] {
  const last = ev.lastSampleTs;
  if (last !== undefined && now - last <= p.staleAfterMs) return [];
  return [
    {
      kind: 'no_data',
      state: 'unknown',
      summary:
        last === undefined
          ? 'no telemetry sample'
          : `no telemetry for ${minutes(now - last)} min (bound ${minutes(p.staleAfterMs)} min)`,
      ts: last ?? now,
      evidence: { lastSampleTs: last ?? null, staleAfterMs: p.staleAfterMs },
      runbook: healthRunbook('no_data'),
    },
  ];
}

function anomalyReasons(a: AnomalyEvidence | undefined, now: number, p: HealthPolicy): HealthReason[] {
  if (!a || !(a.threshold > 0) || !Number.isFinite(a.score)) return [];
  const multiple = a.score / a.threshold;
  const stale = now - a.ts > p.maxScoreAgeMs;
  const state: HealthState =
    stale || multiple < 1 ? 'healthy' : multiple >= p.anomalyAtRiskMultiple ? 'at_risk' : 'degraded';
  const top = a.topFeatures.slice(0, 3).map((f) => f.name);
  const summary = stale
    ? `latest anomaly score is ${minutes(now - a.ts)} min old: not counted`
    : multiple >= 1
      ? `anomaly score ${multiple.toFixed(2)}× its threshold (top: ${top.join(', ')})`
      : `anomaly score below threshold (${multiple.toFixed(2)}×)`;
  return [
    {
      kind: 'anomaly',
      state,
      summary,
      ts: a.ts,
      evidence: {
        score: a.score,
        threshold: a.threshold,
        multiple,
        atRiskMultiple: p.anomalyAtRiskMultiple,
        topFeatures: a.topFeatures,
        model: a.model,
        version: a.version,
      },
      runbook: healthRunbook('anomaly'),
    },
  ];
}

function faultReasons(f: FaultEvidence | undefined, now: number, p: HealthPolicy): HealthReason[] {
  if (!f || !Number.isFinite(f.probability)) return [];
  const stale = now - f.ts > p.maxScoreAgeMs;
  const soon = f.ttfMs !== undefined && f.ttfMs <= p.failingWithinMs;
  // The same alarm rule as the policy: above the override when an operator set one, else above the model's own
  // threshold; a prediction with neither is no alarm (a raw score is not a probability to act on).
  const cut = p.atRiskProbability ?? f.threshold;
  const alarm = cut !== undefined && f.probability > cut;
  const state: HealthState =
    stale || !alarm ? 'healthy' : f.probability >= p.failingProbability || soon ? 'failing' : 'at_risk';
  const ttf = f.ttfMs === undefined ? '' : `, failure in ~${minutes(f.ttfMs)} min`;
  const summary = stale
    ? `latest fault prediction is ${minutes(now - f.ts)} min old: not counted`
    : `fault probability ${f.probability.toFixed(2)} within ${minutes(f.horizonMs)} min${ttf}`;
  return [
    {
      kind: 'fault_prediction',
      state,
      summary,
      ts: f.ts,
      evidence: {
        probability: f.probability,
        horizonMs: f.horizonMs,
        ttfMs: f.ttfMs ?? null,
        predictedFailureAt: f.ttfMs === undefined ? null : f.ts + f.ttfMs,
        alarmThreshold: cut ?? null,
        alarmThresholdSource:
          p.atRiskProbability !== undefined ? 'operator override' : cut !== undefined ? 'model' : null,
        failingProbability: p.failingProbability,
        model: f.model,
        version: f.version,
      },
      runbook: healthRunbook('fault_prediction'),
    },
  ];
}

const XID_STATE: Readonly<Record<Severity, HealthState>> = {
  critical: 'failing',
  warning: 'degraded',
  info: 'healthy',
};

function xidReasons(xids: GpuEvidence['xids'], now: number, p: HealthPolicy): HealthReason[] {
  const byCode = new Map<number, { count: number; last: number }>();
  for (const x of xids) {
    if (x.code <= 0 || now - x.ts > p.xidLookbackMs || x.ts > now) continue;
    const e = byCode.get(x.code) ?? { count: 0, last: 0 };
    byCode.set(x.code, { count: e.count + 1, last: Math.max(e.last, x.ts) });
  }
  return [...byCode].map(([code, { count, last }]) => {
    const rule = xidRule(code);
    // An XID the table does not know is still the driver reporting an error: degraded, never ignored.
    const state = rule ? XID_STATE[rule.severity] : 'degraded';
    return {
      kind: 'xid' as const,
      state,
      summary: `XID ${code}${rule ? ` (${rule.mnemonic})` : ''}: ${count}× in the last ${minutes(p.xidLookbackMs)} min`,
      ts: last,
      evidence: { code, count, severity: rule?.severity ?? 'unknown', lookbackMs: p.xidLookbackMs },
      runbook: healthRunbook('xid'),
    };
  });
}

function eccReasons(e: EccEvidence | undefined, p: HealthPolicy): HealthReason[] {
  if (!e) return [];
  const sbeRatePerHour = e.windowMs > 0 ? (e.sbeDelta * 3_600_000) / e.windowMs : 0;
  const found: string[] = [];
  let state: HealthState = 'healthy';
  if (e.dbeVolatile >= p.dbeCount) {
    state = 'failing';
    found.push(`${e.dbeVolatile} uncorrected (DBE) errors`);
  }
  if (e.remappedRowsPending >= p.remappedRowsPending) {
    state = worse(state, 'degraded');
    found.push(`${e.remappedRowsPending} rows pending remap (reset needed)`);
  }
  if (sbeRatePerHour >= p.sbeRatePerHour) {
    state = worse(state, 'degraded');
    found.push(`${Math.round(sbeRatePerHour)} corrected (SBE) errors/h`);
  }
  return [
    {
      kind: 'ecc',
      state,
      summary: found.length ? `ECC: ${found.join('; ')}` : 'ECC counters within bounds',
      ts: e.ts,
      evidence: {
        dbeVolatile: e.dbeVolatile,
        remappedRowsPending: e.remappedRowsPending,
        sbeRatePerHour,
        windowMs: e.windowMs,
        bounds: { dbeCount: p.dbeCount, remappedRowsPending: p.remappedRowsPending, sbeRatePerHour: p.sbeRatePerHour },
      },
      runbook: healthRunbook('ecc'),
    },
  ];
}

const SEVERITY_STATE: Readonly<Record<Severity, HealthState>> = {
  critical: 'at_risk',
  warning: 'degraded',
  info: 'healthy',
};

function recommendationReasons(ev: GpuEvidence): HealthReason[] {
  const { device, node } = ev.identity;
  const out: HealthReason[] = [];
  for (const r of ev.recommendations) {
    const onNode = r.targetKind === 'node' && (r.targetNode ?? r.targetId) === node;
    const aboutThis = r.devices.includes(device) || (r.targetKind === 'gpu' && r.targetId === device);
    const evidence = {
      id: r.id,
      type: r.type,
      status: r.status,
      severity: r.severity,
      target: { kind: r.targetKind, id: r.targetId },
      dryRun: r.dryRun,
      reason: r.reason,
    };
    // One reason per quarantine (its drain and its RMA ticket share the evidence): the GPU keeps failing.
    if (
      r.evidenceKind === 'repeat-offender' &&
      aboutThis &&
      r.type === 'open_ticket' &&
      (OPEN.has(r.status) || r.status === 'executed')
    ) {
      out.push({
        kind: 'repeat_offender',
        state: 'at_risk',
        summary: `repeat offender: ${r.incidents ?? 'several'} incidents in the window; quarantine (drain + RMA) ${r.status}`,
        ts: r.updatedAt,
        evidence,
        runbook: healthRunbook('repeat_offender'),
      });
    }
    if (r.type === 'drain_node' && onNode && r.status === 'executed' && !r.dryRun) {
      out.push({
        kind: 'drain',
        state: 'drained',
        summary: `node ${node} drained (${r.id})`,
        ts: r.updatedAt,
        evidence,
        runbook: actionRunbook(r.type),
      });
    } else if (OPEN.has(r.status) && (onNode || aboutThis)) {
      // A node-level action raised by a sibling GPU is context here, not evidence against this GPU.
      out.push({
        kind: 'recommendation',
        state: aboutThis ? SEVERITY_STATE[r.severity] : 'healthy',
        summary: `${r.status} ${r.severity} ${r.type}${r.dryRun ? ' (dry run)' : ''}: ${r.reason}`,
        ts: r.updatedAt,
        evidence,
        runbook: actionRunbook(r.type),
      });
    }
  }
  return out;
}
