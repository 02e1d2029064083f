/**
 * Advisory budget. Advice that waits for a person (a power cap always needs approval) is read by nobody when it
 * arrives by the dozen: the 256-GPU quick start proposed 69 caps in one run. At most `power.maxOpenAdvisories`
 * power caps are open at once across the fleet. Open ones count first; this decision's candidates are admitted
 * by the energy they save per unit of work, largest first, so the budget holds the advice most worth reading.
 * The rest are suppressed and come back on a later run once operators approved or rejected the waiting ones.
 */
import type { RuleContext } from '../rules/context.js';
import { type Candidate, isLive, OPEN_STATUSES, suppress } from './candidate.js';

const saving = (c: Candidate): number => c.draft.expectedBenefit.energyPerWorkSavedPct ?? 0;

export function advisoryBudgetRail(candidates: readonly Candidate[], ctx: RuleContext): void {
  const max = ctx.config.power.maxOpenAdvisories;
  const open = ctx.input.openActions.filter((a) => a.type === 'power_cap_gpu' && OPEN_STATUSES.has(a.status)).length;
  const waiting = candidates
    .filter((c) => isLive(c) && c.draft.type === 'power_cap_gpu')
    .sort((a, b) => saving(b) - saving(a) || (a.draft.id < b.draft.id ? -1 : 1));
  let left = max - open;
  for (const c of waiting) {
    if (left > 0) {
      left--;
      continue;
    }
    suppress(
      c,
      'advisory-budget',
      `${open} power cap(s) already wait for an operator and this decision keeps the ${Math.max(0, max - open)} ` +
        `saving the most energy (budget power.maxOpenAdvisories = ${max}); this one saves ${saving(c)}% and comes ` +
        'back once the waiting ones are approved or rejected',
    );
  }
}
