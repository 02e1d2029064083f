/**
 * The automation's scorecard: recommendations measured against ground truth (fault labels). Pure: the backtest
 * (replayed recommendations) and GET /v1/scorecard (the live history) both call it.
 *
 * - A labelled fault that ends in a failure is CAUGHT when a recommendation on its GPU, its node, its rack or its job
 *   (a label's `device`: `node/gpu`, a rack, or a job id) was proposed in [onset − horizon, failure); its lead is
 *   failure − the first such recommendation.
 * - A recommendation is JUSTIFIED when a label touches its target within [its time − horizon, its time + horizon]
 *   (a fault that was coming, or had just happened); otherwise it is a FALSE recommendation. Operator outcomes, when
 *   given, win: `confirmed` is justified and `false_alarm` is false whatever the labels say.
 * - False recommendations are counted per device-day (devices × days of the period), by type.
 * Informing types (alerts, tickets) count like acting ones: an operator reads them all. Power caps are efficiency
 * advice (a throughput forecast at a lower cap), not a claim that something is failing: they are counted apart
 * (`optimisations`) and never as false.
 */

/** Recommendations that do not claim a fault. */
const OPTIMISATIONS: ReadonlySet<string> = new Set(['power_cap_gpu']);

export interface ScoredRecommendation {
  readonly id: string;
  readonly type: string;
  readonly ts: number;
  /** What it acts on: node id, `node/gpu`, rack, job or cluster. */
  readonly target: string;
  /** The devices (`node/gpu`) its evidence names, when any. */
  readonly devices?: readonly string[];
  /** The target's rack: a facility fault is labelled on the rack. */
  readonly rack?: string;
  readonly outcome?: 'confirmed' | 'false_alarm' | 'unknown';
}

export interface GroundTruthLabel {
  readonly device: string;
  readonly node: string;
  readonly rack: string;
  readonly faultType: string;
  readonly onsetTs: number;
  readonly failureTs: number;
  /** False for a degradation that does not end in a failure. */
  readonly endsInFailure: boolean;
}

export interface Scorecard {
  readonly from: number;
  readonly to: number;
  readonly devices: number;
  readonly deviceDays: number;
  readonly horizonMs: number;
  readonly failures: number;
  readonly caught: number;
  readonly caughtShare: number | null;
  /** Minutes, over caught failures. */
  readonly medianLeadMin: number | null;
  readonly recommendations: number;
  /** Power-cap advice in the period (not scored against faults). */
  readonly optimisations: number;
  readonly falseRecommendations: number;
  readonly falsePerDeviceDay: number | null;
  readonly falseByType: Readonly<Record<string, number>>;
  readonly actionsPerIncident: number | null;
  readonly perFault: ReadonlyArray<{
    readonly device: string;
    readonly faultType: string;
    readonly failureTs: number;
    readonly caught: boolean;
    readonly leadMin: number | null;
    readonly actions: number;
  }>;
}

/** Every id a label can be matched by: its GPU, its node, its rack (and the label's own device id). */
function labelKeys(l: GroundTruthLabel): string[] {
  return [l.device, l.node, l.rack].filter(Boolean);
}

function recKeys(r: ScoredRecommendation): string[] {
  const nodes = (r.devices ?? []).map((d) => d.split('/')[0]);
  return [r.target, ...(r.devices ?? []), ...nodes, ...(r.rack ? [r.rack] : [])];
}

const touches = (r: ScoredRecommendation, l: GroundTruthLabel) => {
  const keys = new Set(labelKeys(l));
  return recKeys(r).some((k) => keys.has(k));
};

const median = (xs: number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export function scorecard(input: {
  readonly from: number;
  readonly to: number;
  readonly devices: number;
  readonly horizonMs: number;
  readonly recommendations: readonly ScoredRecommendation[];
  readonly labels: readonly GroundTruthLabel[];
}): Scorecard {
  const { from, to, horizonMs } = input;
  const inRange = input.recommendations.filter((r) => r.ts >= from && r.ts < to);
  const recs = inRange.filter((r) => !OPTIMISATIONS.has(r.type));
  const failures = input.labels.filter((l) => l.endsInFailure && l.failureTs >= from && l.failureTs < to);
  const perFault = failures.map((l) => {
    const before = recs.filter((r) => touches(r, l) && r.ts >= l.onsetTs - horizonMs && r.ts < l.failureTs);
    const first = before.length > 0 ? Math.min(...before.map((r) => r.ts)) : undefined;
    return {
      device: l.device,
      faultType: l.faultType,
      failureTs: l.failureTs,
      caught: first !== undefined,
      leadMin: first === undefined ? null : (l.failureTs - first) / 60_000,
      actions: before.length,
    };
  });
  const justified = (r: ScoredRecommendation) => {
    if (r.outcome === 'confirmed') return true;
    if (r.outcome === 'false_alarm') return false;
    return input.labels.some((l) => touches(r, l) && r.ts >= l.onsetTs - horizonMs && r.ts <= l.failureTs + horizonMs);
  };
  const falseRecs = recs.filter((r) => !justified(r));
  const falseByType: Record<string, number> = {};
  for (const r of falseRecs) falseByType[r.type] = (falseByType[r.type] ?? 0) + 1;
  const deviceDays = (input.devices * (to - from)) / 86_400_000;
  const caught = perFault.filter((f) => f.caught);
  return {
    from,
    to,
    devices: input.devices,
    deviceDays,
    horizonMs,
    failures: failures.length,
    caught: caught.length,
    caughtShare: failures.length > 0 ? caught.length / failures.length : null,
    medianLeadMin: median(caught.map((f) => f.leadMin as number)),
    recommendations: recs.length,
    optimisations: inRange.length - recs.length,
    falseRecommendations: falseRecs.length,
    falsePerDeviceDay: deviceDays > 0 ? falseRecs.length / deviceDays : null,
    falseByType,
    actionsPerIncident: caught.length > 0 ? caught.reduce((n, f) => n + f.actions, 0) / caught.length : null,
    perFault,
  };
}

/** The summary lines scripts read: these three first, always in this form. */
export function scorecardSummary(s: Scorecard): string[] {
  const pct = s.caughtShare === null ? 'n/a' : `${(100 * s.caughtShare).toFixed(1)} %`;
  return [
    `faults caught before failure: ${s.caught} of ${s.failures} (${pct})`,
    `median lead: ${s.medianLeadMin === null ? 'n/a' : `${s.medianLeadMin.toFixed(1)} min`}`,
    `false recommendations per device-day: ${s.falsePerDeviceDay === null ? 'n/a' : s.falsePerDeviceDay.toFixed(4)}`,
    `recommendations: ${s.recommendations} (${s.falseRecommendations} false: ${
      Object.entries(s.falseByType)
        .map(([t, n]) => `${t} ${n}`)
        .join(', ') || 'none'
    }); power-cap advice: ${s.optimisations}; devices: ${s.devices}; device-days: ${s.deviceDays.toFixed(1)}`,
  ];
}
