/**
 * Anomaly scores: a score above the model's threshold says "this GPU behaves unlike healthy ones"; its top
 * contributing features say how. The category of the top features picks the action (a table below); the score's
 * multiple of the threshold picks the severity. Utilisation anomalies are stragglers (rules/straggler.ts), and
 * thermal anomalies in a rack that already has a cooling alert are left to that alert (the cause is the room).
 */

import { type PolicyConfig, SEVERITY_RANK } from '../config.js';
import { gpuTarget, jobTarget } from '../topology.js';
import type { AnomalyScore, Evidence, FeatureContribution, Severity, TicketKind } from '../types.js';
import {
  type ActionDraft,
  draft,
  featuresText,
  isFresh,
  isoTime,
  latestByKey,
  modelName,
  type RuleContext,
  round,
  topFeatures,
} from './context.js';

export type AnomalyCategory = 'thermal' | 'memory' | 'power' | 'interconnect' | 'memory-leak' | 'utilisation' | 'other';

/** Raw telemetry field (a feature name starts with it, e.g. `gpu_temp_c_slope`) → what kind of trouble it shows. */
const FEATURE_CATEGORY: readonly [string, AnomalyCategory][] = [
  ['gpu_temp_c', 'thermal'],
  ['mem_temp_c', 'thermal'],
  ['fan_speed_pct', 'thermal'],
  ['inlet_temp_c', 'thermal'],
  ['outlet_temp_c', 'thermal'],
  ['coolant_temp_c', 'thermal'],
  ['ecc_sbe', 'memory'],
  ['ecc_dbe', 'memory'],
  ['remapped_rows', 'memory'],
  ['power_w', 'power'],
  ['power_limit_w', 'power'],
  ['clock_event_reasons', 'power'],
  ['sm_clock_mhz', 'power'],
  ['nvlink_crc_errors', 'interconnect'],
  ['pcie_replay_count', 'interconnect'],
  ['fb_used_mib', 'memory-leak'],
  ['gpu_util', 'utilisation'],
  ['mem_copy_util', 'utilisation'],
];

const TICKET_FOR: Partial<Record<AnomalyCategory, { kind: TicketKind; what: string }>> = {
  thermal: { kind: 'maintenance', what: 'cooling of the GPU (fan, heatsink, thermal paste)' },
  memory: { kind: 'maintenance', what: 'memory health (ECC trend)' },
  power: { kind: 'hardware', what: 'power delivery (PSU, VRM, throttling)' },
  interconnect: { kind: 'nvlink', what: 'NVLink / PCIe links' },
  other: { kind: 'maintenance', what: 'unexplained abnormal behaviour' },
};

export function featureCategory(feature: string): AnomalyCategory {
  for (const [prefix, category] of FEATURE_CATEGORY) if (feature.startsWith(prefix)) return category;
  return 'other';
}

/** The category with the largest summed contribution among the top features (ties: table order). */
export function anomalyCategory(features: readonly FeatureContribution[]): AnomalyCategory {
  const sums = new Map<AnomalyCategory, number>();
  for (const f of features)
    sums.set(featureCategory(f.name), (sums.get(featureCategory(f.name)) ?? 0) + Math.max(0, f.contribution));
  let best: AnomalyCategory = 'other';
  let bestSum = -1;
  for (const [category, sum] of sums) if (sum > bestSum) [best, bestSum] = [category, sum];
  return best;
}

export function anomalySeverity(multiple: number, cfg: PolicyConfig['anomaly']): Severity {
  if (multiple >= cfg.criticalMultiple) return 'critical';
  return multiple >= cfg.warningMultiple ? 'warning' : 'info';
}

/** 0.5 at the threshold, rising towards 0.95 as the score moves past it. */
export const anomalyConfidence = (multiple: number): number => round(Math.min(0.95, 0.5 + 0.5 * (1 - 1 / multiple)), 4);

/** Fresh anomalous scores (score >= threshold), latest per device. */
export function currentAnomalies(ctx: RuleContext): AnomalyScore[] {
  const out: AnomalyScore[] = [];
  for (const a of latestByKey(ctx.input.anomalies, (s) => s.device).values()) {
    if (!(a.threshold > 0) || !Number.isFinite(a.score) || a.score < a.threshold) continue;
    if (!isFresh(ctx, a.ts)) {
      ctx.note(`anomaly score of ${a.device} from ${isoTime(a.ts)} is stale; ignored`);
      continue;
    }
    out.push(a);
  }
  return out;
}

/** `anomalies`: the output of `currentAnomalies` (computed once per decision, shared by the rules that read it). */
export function anomalyRules(
  ctx: RuleContext,
  anomalies: readonly AnomalyScore[],
  coolingAlertRacks: ReadonlySet<string>,
): ActionDraft[] {
  const out: ActionDraft[] = [];
  const cfg = ctx.config.anomaly;
  for (const a of anomalies) {
    const multiple = a.score / a.threshold;
    const severity = anomalySeverity(multiple, cfg);
    const features = topFeatures(a.topFeatures, cfg.topFeatures);
    const category = anomalyCategory(features);
    const loc = ctx.topo.device(a.device);
    const what = `anomaly ${category} on ${a.device} (${modelName(a.model)}, ${round(multiple)}x threshold)`;
    if (loc === undefined) {
      ctx.note(`${what} ignored: device not in the fleet topology`);
      continue;
    }
    if (SEVERITY_RANK[severity] < SEVERITY_RANK[cfg.actSeverity]) {
      ctx.note(`${what} is ${severity}: logged, below anomaly.actSeverity ${cfg.actSeverity}`);
      continue;
    }
    if (category === 'utilisation') continue; // a straggler: rules/straggler.ts rebalances its job
    if (category === 'thermal' && coolingAlertRacks.has(loc.rack)) {
      ctx.note(`${what}: rack ${loc.rack} has a cooling alert, which covers it`);
      continue;
    }
    const evidence: Evidence = {
      kind: 'anomaly',
      key: `anomaly-${category}:${a.device}`,
      devices: [a.device],
      model: a.model,
      anomaly: { score: a.score, threshold: a.threshold, multiple: round(multiple, 3) },
      topFeatures: features,
    };
    const reason =
      `Anomaly model ${modelName(a.model)}: score ${round(a.score, 4)} vs threshold ${round(a.threshold, 4)} ` +
      `(${round(multiple)}x, ${severity}) on ${a.device} at ${isoTime(a.ts)}; top features: ${featuresText(features)} ` +
      `→ ${category}.`;
    const base = { severity, confidence: anomalyConfidence(multiple), evidence };
    if (category === 'memory-leak') {
      const jobs = ctx.topo.jobsOnDevice(a.device);
      if (jobs.length === 0) ctx.note(`${what}: no job runs there, nothing to restart`);
      for (const job of jobs) {
        out.push(
          draft({
            ...base,
            type: 'restart_application',
            target: jobTarget(job, ctx.topo, a.device),
            reason: `${reason} Framebuffer use keeps growing: restart the job before it runs out of memory.`,
            params: { device: a.device },
            expectedBenefit: {
              summary: `restart job ${job.id} from a checkpoint before an out-of-memory crash`,
              jobsProtected: 1,
            },
          }),
        );
      }
      continue;
    }
    const ticket = TICKET_FOR[category] ?? TICKET_FOR.other!;
    out.push(
      draft({
        ...base,
        type: 'open_ticket',
        target: gpuTarget(loc),
        reason: `${reason} Inspect ${ticket.what}.`,
        params: { ticketKind: ticket.kind, category },
        expectedBenefit: {
          summary: `inspect ${ticket.what} of ${a.device} before it turns into a failure`,
          gpusAffected: 1,
        },
      }),
    );
  }
  return out;
}
