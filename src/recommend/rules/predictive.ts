/**
 * Predicted failures: when the fault model's probability reaches `fault.actProbability`, plan the maintenance
 * before the failure instead of after it: migrate the node's jobs, drain the node `fault.drainLeadMs` before the
 * predicted failure (the TTF model says when; without a TTF estimate the failure may come any time within the
 * horizon, so the drain is due now), and open a maintenance ticket.
 */
import { gpuTarget, jobTarget, nodeTarget } from '../topology.js';
import type { Evidence, FaultPrediction, Severity } from '../types.js';
import {
  type ActionDraft,
  draft,
  durationText,
  isFresh,
  isoTime,
  latestByKey,
  modelName,
  type RuleContext,
  round,
} from './context.js';

export function predictiveRules(ctx: RuleContext): ActionDraft[] {
  const out: ActionDraft[] = [];
  for (const p of latestByKey(ctx.input.faultPredictions, (f) => f.device).values()) {
    if (!Number.isFinite(p.probability) || p.probability < ctx.config.fault.actProbability) continue;
    if (!isFresh(ctx, p.ts)) {
      ctx.note(`fault prediction for ${p.device} from ${isoTime(p.ts)} is stale; ignored`);
      continue;
    }
    out.push(...planMaintenance(ctx, p));
  }
  return out;
}

function planMaintenance(ctx: RuleContext, p: FaultPrediction): ActionDraft[] {
  const loc = ctx.topo.device(p.device);
  if (loc === undefined) {
    ctx.note(`fault prediction for ${p.device} ignored: device not in the fleet topology`);
    return [];
  }
  const { now } = ctx.input;
  const cfg = ctx.config.fault;
  const hasTtf = p.ttfMs !== undefined && Number.isFinite(p.ttfMs);
  const predictedFailureAt = p.ts + (hasTtf ? (p.ttfMs as number) : p.horizonMs);
  const drainAt = hasTtf ? Math.max(now, predictedFailureAt - cfg.drainLeadMs) : now;
  const migrateAt = hasTtf ? Math.max(now, drainAt - cfg.drainLeadMs) : now;
  const urgent = hasTtf && predictedFailureAt - now <= cfg.urgentMs;
  const severity: Severity = p.probability >= cfg.criticalProbability || urgent ? 'critical' : 'warning';
  const jobs = ctx.topo.jobsOnNode(loc.node);

  const when = hasTtf
    ? `${p.ttfModel ? modelName(p.ttfModel) : modelName(p.model)} predicts failure at ${isoTime(predictedFailureAt)} ` +
      `(in ${durationText(Math.max(0, predictedFailureAt - now))})`
    : `no time-to-failure estimate, so the failure may come any time within the horizon`;
  const plan =
    `Plan: migrate ${jobs.length} job(s) from ${isoTime(migrateAt)}, drain ${loc.node} at ${isoTime(drainAt)}` +
    `${hasTtf ? ` (${durationText(cfg.drainLeadMs)} before the predicted failure)` : ''}, then maintenance.`;
  const reason =
    `Fault model ${modelName(p.model)}: probability ${round(p.probability, 3)} that ${p.device} fails within ` +
    `${durationText(p.horizonMs)} (act at ${cfg.actProbability}${p.faultType ? `; fault type ${p.faultType}` : ''}); ` +
    `${when}. ${plan}`;
  const evidence: Evidence = {
    kind: 'fault-prediction',
    key: `predicted-failure:${p.device}`,
    devices: [p.device],
    model: p.model,
    prediction: { probability: p.probability, horizonMs: p.horizonMs, ttfMs: p.ttfMs, predictedFailureAt },
  };
  const base = { severity, confidence: round(p.probability, 4), evidence, reason };

  const migrations = jobs.map((job) =>
    draft({
      ...base,
      type: 'migrate_job',
      target: jobTarget(
        job,
        ctx.topo,
        job.devices.find((d) => ctx.topo.device(d)?.node === loc.node),
      ),
      notBefore: migrateAt,
      params: { fromNode: loc.node },
      expectedBenefit: {
        summary: `checkpoint job ${job.id} and move it off ${loc.node} before the failure`,
        jobsProtected: 1,
      },
    }),
  );
  const drain = draft({
    ...base,
    type: 'drain_node',
    target: nodeTarget(loc),
    notBefore: drainAt,
    dependsOn: migrations.map((m) => m.id),
    params: { predictedFailureAt },
    expectedBenefit: {
      summary: `avoid an unplanned failure of ${jobs.length} job(s) on ${loc.node} by draining at ${isoTime(drainAt)}`,
      jobsProtected: jobs.length,
      gpusAffected: ctx.topo.node(loc.node)?.devices.length ?? 0,
    },
  });
  const ticket = draft({
    ...base,
    type: 'open_ticket',
    target: gpuTarget(loc),
    params: { ticketKind: 'maintenance', predictedFailureAt, serviceAfter: drainAt },
    expectedBenefit: { summary: `maintenance for ${p.device} scheduled before its predicted failure`, gpusAffected: 1 },
  });
  return [...migrations, drain, ticket];
}
