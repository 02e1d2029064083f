/**
 * Predicted failures: when the fault model's probability is above the threshold the policy acts on, plan the
 * maintenance before the failure instead of after it: migrate the node's jobs, drain the node `fault.drainLeadMs`
 * before the predicted failure (the TTF model says when; without a TTF estimate the failure may come any time within
 * the horizon, so the drain is due now), and open a maintenance ticket.
 *
 * The threshold is the prediction's own model threshold (model.json, carried by the outputs module), unless the
 * operator set `fault.actProbability`; every recommendation says which one it used and where it came from. The
 * comparison is the outputs module's `exceeds` (strictly above), so the policy and the API's `alarm` agree.
 */
import { exceeds } from '../../inference/model-outputs.js';
import { gpuTarget, jobTarget, nodeTarget } from '../topology.js';
import type { Evidence, FaultPrediction, Severity, ThresholdRef } from '../types.js';
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

/** The operator's override when set, else the model's own threshold; undefined when there is neither. */
export function actThreshold(
  override: number | undefined,
  p: Pick<FaultPrediction, 'threshold'>,
): ThresholdRef | undefined {
  if (override !== undefined) return { value: override, source: 'operator override (policy fault.actProbability)' };
  return p.threshold;
}

export function predictiveRules(ctx: RuleContext): ActionDraft[] {
  const out: ActionDraft[] = [];
  const unthresholded = new Set<string>();
  for (const p of latestByKey(ctx.input.faultPredictions, (f) => f.device).values()) {
    const threshold = actThreshold(ctx.config.fault.actProbability, p);
    if (threshold === undefined) {
      unthresholded.add(modelName(p.model));
      continue;
    }
    if (!Number.isFinite(p.probability) || !exceeds(p.probability, threshold.value)) continue;
    if (!isFresh(ctx, p.ts)) {
      ctx.note(`fault prediction for ${p.device} from ${isoTime(p.ts)} is stale; ignored`);
      continue;
    }
    out.push(...planMaintenance(ctx, p, threshold));
  }
  for (const m of unthresholded) {
    ctx.note(`fault predictions of ${m} ignored: its model.json has no threshold and fault.actProbability is unset`);
  }
  return out;
}

function planMaintenance(ctx: RuleContext, p: FaultPrediction, threshold: ThresholdRef): ActionDraft[] {
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
    `${durationText(p.horizonMs)} (acts above ${threshold.value}: ${threshold.source}` +
    `${p.faultType ? `; fault type ${p.faultType}` : ''}); ` +
    `${when}. ${plan}`;
  const evidence: Evidence = {
    kind: 'fault-prediction',
    key: `predicted-failure:${p.device}`,
    devices: [p.device],
    model: p.model,
    prediction: {
      probability: p.probability,
      threshold: { value: threshold.value, source: threshold.source },
      horizonMs: p.horizonMs,
      ttfMs: p.ttfMs,
      predictedFailureAt,
    },
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
