/**
 * Advisory budget. Advice that waits for a person (a power cap always needs approval) is read by nobody when it
 * arrives by the dozen: the 256-GPU quick start proposed 69 caps in one run. At most `power.maxOpenAdvisories`
 * power caps are open at once per cluster (the batch forecast decides each cluster in its own shard, in parallel,
 * so a cluster is the scope one decision sees whole; it is also whom an operator answers for). Open ones count
 * first; this decision's candidates are admitted by the energy they save per unit of work, largest first, so the
 * budget holds the advice most worth reading. The rest are suppressed and come back on a later run once
 * operators approved or rejected the waiting ones. A cap that supersedes a waiting one (dedup.ts) takes that one's
 * place and counts once, as it did.
 */
import type { RuleContext } from '../rules/context.js';
import { type Candidate, isLive, OPEN_STATUSES, suppress } from './candidate.js';

const saving = (c: Candidate): number => c.draft.expectedBenefit.energyPerWorkSavedPct ?? 0;

export function advisoryBudgetRail(candidates: readonly Candidate[], ctx: RuleContext): void {
  const max = ctx.config.power.maxOpenAdvisories;
  const left = new Map<string, number>();
  const budgetOf = (cluster: string): number => left.get(cluster) ?? max;
  for (const a of ctx.input.openActions)
    if (a.type === 'power_cap_gpu' && OPEN_STATUSES.has(a.status))
      left.set(a.target.cluster, budgetOf(a.target.cluster) - 1);
  const waiting = candidates
    .filter((c) => isLive(c) && c.draft.type === 'power_cap_gpu' && c.supersedes === undefined)
    .sort((a, b) => saving(b) - saving(a) || (a.draft.id < b.draft.id ? -1 : 1));
  for (const c of waiting) {
    const cluster = c.draft.target.cluster;
    const n = budgetOf(cluster);
    left.set(cluster, n - 1);
    if (n > 0) continue;
    suppress(
      c,
      'advisory-budget',
      `cluster ${cluster} already has ${max} power cap(s) waiting for an operator or more worth reading in this ` +
        `decision (budget power.maxOpenAdvisories = ${max} per cluster); this one saves ${saving(c)}% energy per ` +
        'unit of work and comes back once the waiting ones are approved or rejected',
    );
  }
}
