/**
 * Power capping. The throughput model predicts, for each candidate cap, the throughput and power a job (or GPU)
 * would run at. Energy per unit of work (W / (work/s) = J per unit) is what a cap should save: a lower cap that
 * only slows the job down saves watts but not energy for the same work. Recommend the candidate that saves the
 * most energy per unit of work while its predicted throughput loss stays within `power.throughputLossBudgetPct`;
 * recommend nothing (and say so in the log) when no candidate is within budget or worth it. A cap that already waits
 * for an operator stays the advice while it is still good within `power.hysteresisPct` (`keepWaiting`), so a
 * forecast that moves by a fraction of a point does not replace it (the dedup rail supersedes it otherwise); when
 * no cap is good any more, not even the waiting one, the waiting one is withdrawn.
 */
import type { PolicyConfig } from '../config.js';
import { gpuTarget, jobTarget } from '../topology.js';
import type { ActionRecord, ActionTarget, Evidence, OperatingPoint, PowerCapForecast } from '../types.js';
import {
  type ActionDraft,
  draft,
  isFresh,
  isoTime,
  latestByKey,
  modelName,
  type RuleContext,
  round,
} from './context.js';

export interface CapChoice {
  readonly chosen: OperatingPoint;
  readonly throughputChangePct: number;
  readonly energyPerWorkSavedPct: number;
  readonly powerSavedW: number;
}

/** The best cap within budget, or undefined. Exported for tests and for the API's "what if" view. */
export function chooseCap(
  current: OperatingPoint,
  candidates: readonly OperatingPoint[],
  budgetPct: number,
  minSavingPct: number,
  maxGainPct = Number.POSITIVE_INFINITY,
): CapChoice | undefined {
  if (!(current.throughput > 0 && current.powerW > 0)) return undefined;
  const currentEpw = current.powerW / current.throughput;
  let best: CapChoice | undefined;
  for (const c of candidates) {
    if (c.powerCapW === current.powerCapW || !(c.throughput > 0 && c.powerW > 0)) continue;
    const throughputChangePct = ((c.throughput - current.throughput) / current.throughput) * 100;
    if (-throughputChangePct > budgetPct) continue;
    // A lower cap predicted to run faster: the model is outside what it learned; do not act on it.
    if (c.powerCapW < current.powerCapW && throughputChangePct > maxGainPct) continue;
    const energyPerWorkSavedPct = ((currentEpw - c.powerW / c.throughput) / currentEpw) * 100;
    if (energyPerWorkSavedPct < minSavingPct) continue;
    const choice = { chosen: c, throughputChangePct, energyPerWorkSavedPct, powerSavedW: current.powerW - c.powerW };
    if (best === undefined || better(choice, best)) best = choice;
  }
  return best;
}

/**
 * `chooseCap` over a forecast with the policy's limits, the budget and the distrusted-gain limit each widened by
 * `slack` points (the hysteresis a waiting cap gets). The one way the policy, and its test against the simulator,
 * picks a cap.
 */
export function capFor(
  f: Pick<PowerCapForecast, 'current' | 'candidates'>,
  cfg: PolicyConfig['power'],
  slack = 0,
): CapChoice | undefined {
  return chooseCap(
    f.current,
    f.candidates,
    cfg.throughputLossBudgetPct + slack,
    cfg.minEnergySavingPct,
    cfg.maxPredictedGainPct + slack,
  );
}

/** More energy saved; on a tie, more throughput; then the higher cap (the gentler change). */
function better(a: CapChoice, b: CapChoice): boolean {
  if (a.energyPerWorkSavedPct !== b.energyPerWorkSavedPct) return a.energyPerWorkSavedPct > b.energyPerWorkSavedPct;
  if (a.chosen.throughput !== b.chosen.throughput) return a.chosen.throughput > b.chosen.throughput;
  return a.chosen.powerCapW > b.chosen.powerCapW;
}

export function powerRules(ctx: RuleContext): ActionDraft[] {
  const out: ActionDraft[] = [];
  const cfg = ctx.config.power;
  const waitingCaps = waitingByTarget(ctx);
  for (const f of latestByKey(ctx.input.powerForecasts, (p) => `${p.subject.kind}:${p.subject.id}`).values()) {
    const name = `${f.subject.kind} ${f.subject.id}`;
    if (!isFresh(ctx, f.ts)) {
      ctx.note(`power-cap forecast for ${name} from ${isoTime(f.ts)} is stale; ignored`);
      continue;
    }
    const target = capTarget(ctx, f);
    if (target === undefined) {
      ctx.note(`power-cap forecast for ${name} ignored: not in the fleet topology`);
      continue;
    }
    const best = capFor(f, cfg);
    const waiting = waitingCaps.get(targetKey(target.target));
    const choice = keepWaiting(ctx, f, waiting, best);
    if (choice === undefined) {
      const none =
        `no candidate saves >= ${cfg.minEnergySavingPct}% energy per unit of work within the ` +
        `${cfg.throughputLossBudgetPct}% throughput-loss budget (gains above +${cfg.maxPredictedGainPct}% at a lower ` +
        'cap are not trusted)';
      ctx.note(`power cap for ${name}: ${none}; nothing recommended`);
      if (waiting)
        ctx.withdraw(
          waiting.id,
          `the forecast of ${isoTime(f.ts)} for ${name}: ${none}, the waiting ${waiting.params?.powerCapW} W cap ` +
            `included (with the ${cfg.hysteresisPct}-point hysteresis)`,
        );
      continue;
    }
    out.push(capAction(ctx, f, target, choice));
  }
  return out;
}

const targetKey = (t: Pick<ActionTarget, 'kind' | 'id'>): string => `${t.kind}:${t.id}`;

/** The power caps waiting for an operator (open and unapproved) by target, the earliest where there are two. */
function waitingByTarget(ctx: RuleContext): Map<string, ActionRecord> {
  const out = new Map<string, ActionRecord>();
  for (const a of ctx.input.openActions)
    if (a.type === 'power_cap_gpu' && a.status === 'proposed' && !out.has(targetKey(a.target)))
      out.set(targetKey(a.target), a);
  return out;
}

/**
 * The cap already waiting for an operator on this target, re-evaluated on the latest forecast with the budget and
 * the distrusted-gain limit each widened by the hysteresis, when it is still acceptable and `best` saves less than
 * the hysteresis more; else `best`. (Live, caps whose predicted "gain" hovered around the +1 % limit flipped the
 * advice every minute as much as the budget did.)
 */
function keepWaiting(
  ctx: RuleContext,
  f: PowerCapForecast,
  record: ActionRecord | undefined,
  best: CapChoice | undefined,
): CapChoice | undefined {
  const cfg = ctx.config.power;
  const waiting = record?.params?.powerCapW;
  if (typeof waiting !== 'number' || waiting === best?.chosen.powerCapW) return best;
  const kept = capFor(
    { current: f.current, candidates: f.candidates.filter((c) => c.powerCapW === waiting) },
    cfg,
    cfg.hysteresisPct,
  );
  if (kept === undefined) return best;
  if (best !== undefined && best.energyPerWorkSavedPct - kept.energyPerWorkSavedPct >= cfg.hysteresisPct) return best;
  ctx.note(
    `power cap for ${f.subject.kind} ${f.subject.id}: the waiting ${waiting} W cap stays the advice (within ` +
      `${cfg.hysteresisPct} point(s) of the budget and of the best cap${best ? `, ${best.chosen.powerCapW} W` : ''})`,
  );
  return kept;
}

function capTarget(ctx: RuleContext, f: PowerCapForecast): { target: ActionTarget; devices: string[] } | undefined {
  if (f.subject.kind === 'job') {
    const job = ctx.topo.job(f.subject.id);
    return job === undefined ? undefined : { target: jobTarget(job, ctx.topo), devices: [...job.devices].sort() };
  }
  const loc = ctx.topo.device(f.subject.id);
  return loc === undefined ? undefined : { target: gpuTarget(loc), devices: [loc.device] };
}

function capAction(
  ctx: RuleContext,
  f: PowerCapForecast,
  where: { target: ActionTarget; devices: string[] },
  c: CapChoice,
): ActionDraft {
  const cap = c.chosen.powerCapW;
  const sign = (n: number): string => `${n >= 0 ? '+' : ''}${round(n, 2)}`;
  const evidence: Evidence = {
    kind: 'power',
    key: `power-cap:${cap}W`,
    devices: where.devices,
    model: f.model,
    forecast: { current: f.current, chosen: c.chosen },
  };
  const reason =
    `Throughput model ${modelName(f.model)} predicts for ${f.subject.kind} ${f.subject.id} at a ${cap} W cap ` +
    `(now ${f.current.powerCapW} W): throughput ${sign(c.throughputChangePct)}% (budget -${ctx.config.power.throughputLossBudgetPct}%), ` +
    `power ${round(f.current.powerW, 1)} → ${round(c.chosen.powerW, 1)} W, energy per unit of work ` +
    `-${round(c.energyPerWorkSavedPct, 2)}%.`;
  return draft({
    type: 'power_cap_gpu',
    target: where.target,
    severity: 'info',
    confidence: ctx.config.power.confidence,
    evidence,
    reason,
    params: { powerCapW: cap, devices: where.devices },
    expectedBenefit: {
      summary: `save ${round(c.powerSavedW, 1)} W (${round(c.energyPerWorkSavedPct, 2)}% energy per unit of work) for ${sign(c.throughputChangePct)}% throughput`,
      powerSavedW: round(c.powerSavedW, 2),
      energyPerWorkSavedPct: round(c.energyPerWorkSavedPct, 2),
      throughputChangePct: round(c.throughputChangePct, 2),
      gpusAffected: where.devices.length,
    },
  });
}
