/**
 * `recommend()`: scores and context in, actions out. Pure and synchronous: no I/O, no clock (time is
 * `input.now`), no randomness; the same input gives the same result whatever the order of its arrays.
 *
 * Steps: index the topology → sort the input into a canonical order → run the rules (each evidence kind on its
 * own) → merge identical drafts → order by priority → apply the safety rails (safety.ts).
 */
import { DEFAULT_POLICY, type PolicyConfig, SEVERITY_RANK } from './config.js';
import { anomalyRules, currentAnomalies } from './rules/anomaly.js';
import { type ActionDraft, createContext } from './rules/context.js';
import { facilityRules } from './rules/facility.js';
import { hardwareEventRules } from './rules/hardware-events.js';
import { powerRules } from './rules/power.js';
import { predictiveRules } from './rules/predictive.js';
import { repeatOffenderRules } from './rules/repeat-offenders.js';
import { stragglerRules } from './rules/straggler.js';
import { applySafetyRails } from './safety.js';
import { indexTopology } from './topology.js';
import { ACTION_TYPES, type DecisionLogEntry, type PolicyInput, type PolicyResult, type Withdrawal } from './types.js';

export function recommend(input: PolicyInput, config: PolicyConfig = DEFAULT_POLICY): PolicyResult {
  const canonical = canonicalInput(input);
  const notes: DecisionLogEntry[] = [];
  const withdrawn: Withdrawal[] = [];
  const ctx = createContext(canonical, config, indexTopology(canonical.topology), notes, withdrawn);

  const anomalies = currentAnomalies(ctx);
  const facility = facilityRules(ctx, anomalies);
  const coolingAlertRacks = new Set(facility.map((a) => a.target.id));
  const drafts = [
    ...hardwareEventRules(ctx),
    ...predictiveRules(ctx),
    ...anomalyRules(ctx, anomalies, coolingAlertRacks),
    ...stragglerRules(ctx, anomalies),
    ...powerRules(ctx),
    ...repeatOffenderRules(ctx),
    ...facility,
  ];
  const outcome = applySafetyRails(byPriority(uniqueById(drafts)), ctx);
  return {
    now: canonical.now,
    actions: outcome.actions,
    withdrawn,
    decisions: [...outcome.decisions, ...notes],
    circuitBreaker: outcome.circuitBreaker,
  };
}

/** Drafts with the same id are the same action for the same fault: keep the stronger one. */
function uniqueById(drafts: readonly ActionDraft[]): ActionDraft[] {
  const out = new Map<string, ActionDraft>();
  for (const d of drafts) {
    const prev = out.get(d.id);
    if (prev === undefined || comparePriority(d, prev) < 0) out.set(d.id, d);
  }
  return [...out.values()];
}

const byPriority = (drafts: readonly ActionDraft[]): ActionDraft[] => [...drafts].sort(comparePriority);

/** Higher severity, then higher confidence, then due sooner, then a fixed order of types, targets and ids. */
export function comparePriority(a: ActionDraft, b: ActionDraft): number {
  return (
    SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
    b.confidence - a.confidence ||
    (a.notBefore ?? 0) - (b.notBefore ?? 0) ||
    ACTION_TYPES.indexOf(a.type) - ACTION_TYPES.indexOf(b.type) ||
    cmp(a.target.id, b.target.id) ||
    cmp(a.id, b.id)
  );
}

function cmp(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sort by a list of keys, so rules see one order whatever order the caller sent. */
function sorted<T>(items: readonly T[], ...keys: ((t: T) => string | number)[]): T[] {
  return [...items].sort((x, y) => {
    for (const k of keys) {
      const c = cmp(k(x), k(y));
      if (c !== 0) return c;
    }
    return 0;
  });
}

function canonicalInput(i: PolicyInput): PolicyInput {
  return {
    ...i,
    anomalies: sorted(
      i.anomalies,
      (a) => a.device,
      (a) => a.ts,
      (a) => a.model.name,
      (a) => a.model.version,
      (a) => a.score,
    ),
    faultPredictions: sorted(
      i.faultPredictions,
      (p) => p.device,
      (p) => p.ts,
      (p) => p.probability,
    ),
    xidEvents: sorted(
      i.xidEvents,
      (e) => e.device,
      (e) => e.ts,
      (e) => e.code,
    ),
    ecc: sorted(
      i.ecc,
      (e) => e.device,
      (e) => e.ts,
    ),
    utilisation: sorted(
      i.utilisation,
      (u) => u.device,
      (u) => u.ts,
    ),
    facility: sorted(
      i.facility,
      (f) => f.rack,
      (f) => f.ts,
    ),
    powerForecasts: sorted(
      i.powerForecasts,
      (f) => f.subject.kind,
      (f) => f.subject.id,
      (f) => f.ts,
    ),
    placementForecasts: sorted(
      i.placementForecasts,
      (f) => f.jobId,
      (f) => f.ts,
    ),
    openActions: sorted(
      i.openActions,
      (a) => a.createdAt,
      (a) => a.id,
    ),
    history: sorted(
      i.history,
      (a) => a.createdAt,
      (a) => a.id,
    ),
    topology: { clusters: i.topology.clusters, jobs: sorted(i.topology.jobs, (j) => j.id) },
  };
}
