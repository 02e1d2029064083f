/**
 * Facility: one cooling alert per rack when the room, not a GPU, is the problem. Evidence is the rack's inlet air
 * or coolant supply above its limit, or many of the rack's GPUs anomalous on temperature features at once (a
 * single hot GPU is a GPU problem; a quarter of a rack running hot is a cooling problem).
 */

import { SEVERITY_RANK } from '../config.js';
import type { AnomalyScore, Evidence, RackFacilityState, Severity } from '../types.js';
import { anomalyCategory } from './anomaly.js';
import {
  type ActionDraft,
  draft,
  isFresh,
  isoTime,
  latestByKey,
  type RuleContext,
  round,
  topFeatures,
} from './context.js';

interface RackFinding {
  readonly severity: Severity;
  readonly confidence: number;
  readonly why: string;
}

export function facilityRules(ctx: RuleContext, anomalies: readonly AnomalyScore[]): ActionDraft[] {
  const readings = new Map<string, RackFacilityState>();
  for (const r of latestByKey(ctx.input.facility, (f) => f.rack).values()) {
    if (isFresh(ctx, r.ts)) readings.set(r.rack, r);
    else ctx.note(`facility reading of rack ${r.rack} from ${isoTime(r.ts)} is stale; ignored`);
  }
  const thermal = thermalAnomaliesByRack(ctx, anomalies);
  const racks = [...new Set([...readings.keys(), ...thermal.keys()])].sort();
  const out: ActionDraft[] = [];
  for (const rack of racks) {
    const reading = readings.get(rack);
    const hot = thermal.get(rack) ?? [];
    const rackGpus = ctx.topo.rackDevices(rack).length;
    const findings = [...readingFindings(ctx, reading), ...anomalyFindings(ctx, hot, rackGpus)];
    if (findings.length === 0) continue;
    const cluster = ctx.topo.rackCluster(rack);
    if (cluster === undefined) ctx.note(`rack ${rack} is not in the fleet topology; its cooling alert has no cluster`);
    const severity = findings.reduce<Severity>(
      (s, f) => (SEVERITY_RANK[f.severity] > SEVERITY_RANK[s] ? f.severity : s),
      'info',
    );
    const evidence: Evidence = {
      kind: 'facility',
      key: `cooling:${rack}`,
      devices: hot,
      facility: {
        rack,
        ts: reading?.ts ?? ctx.input.now,
        inletTempC: reading?.inletTempC,
        coolantTempC: reading?.coolantTempC,
        thermalAnomalies: hot.length,
        rackGpus,
      },
    };
    out.push(
      draft({
        type: 'facility_cooling_alert',
        target: { kind: 'rack', id: rack, cluster: cluster ?? '', rack },
        severity,
        confidence: Math.max(...findings.map((f) => f.confidence)),
        evidence,
        reason: `Rack ${rack}: ${findings.map((f) => f.why).join('; ')}.`,
        params: { rack },
        expectedBenefit: {
          summary: `restore cooling before the ${rackGpus} GPU(s) of rack ${rack} throttle or fail`,
          gpusAffected: rackGpus,
        },
      }),
    );
  }
  return out;
}

function readingFindings(ctx: RuleContext, r: RackFacilityState | undefined): RackFinding[] {
  if (r === undefined) return [];
  const cfg = ctx.config.facility;
  const out: RackFinding[] = [];
  const check = (label: string, value: number | undefined, warn: number, critical: number): void => {
    if (value === undefined || !Number.isFinite(value) || value <= warn) return;
    const severity: Severity = value > critical ? 'critical' : 'warning';
    // A measured temperature is near-certain evidence; the sensor itself is the residual doubt.
    out.push({
      severity,
      confidence: 0.95,
      why: `${label} ${round(value, 1)} °C at ${isoTime(r.ts)} (limit ${warn} °C, critical ${critical} °C)`,
    });
  };
  check('inlet air', r.inletTempC, cfg.inletWarnC, cfg.inletCriticalC);
  check('coolant supply', r.coolantTempC, cfg.coolantWarnC, cfg.coolantCriticalC);
  return out;
}

function anomalyFindings(ctx: RuleContext, hot: readonly string[], rackGpus: number): RackFinding[] {
  const cfg = ctx.config.facility;
  if (rackGpus === 0 || hot.length < cfg.thermalAnomalyMinGpus) return [];
  const share = hot.length / rackGpus;
  if (share < cfg.thermalAnomalyShare) return [];
  return [
    {
      severity: 'warning',
      // More of the rack hot together → more likely the room: 0.6 at the configured share, up to 0.95.
      confidence: round(Math.min(0.95, 0.6 + 0.35 * share), 4),
      why: `${hot.length} of ${rackGpus} GPUs (${round(share * 100, 1)}%) are anomalous on temperature features (${hot.join(', ')})`,
    },
  ];
}

/** Devices with a current anomaly whose top features are mostly thermal, grouped by rack (sorted). */
function thermalAnomaliesByRack(ctx: RuleContext, anomalies: readonly AnomalyScore[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const a of anomalies) {
    if (anomalyCategory(topFeatures(a.topFeatures, ctx.config.anomaly.topFeatures)) !== 'thermal') continue;
    const rack = ctx.topo.device(a.device)?.rack;
    if (rack !== undefined) out.set(rack, [...(out.get(rack) ?? []), a.device].sort());
  }
  return out;
}
