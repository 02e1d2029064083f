/**
 * The safety rails, applied after the rules in a fixed order; an action keeps the first rail that stops it:
 *   1. dedup               the same action is already open, or proposed earlier in this decision (a power cap
 *                          whose cap changed supersedes the open proposal instead: rails/dedup.ts)
 *   2. opt-out             the scope's owner opted out of automatic actions
 *   3. maintenance-window  people are working on the scope
 *   4. cooldown            the same action on the target was created too recently
 *   5. advisory-budget     too many power caps already wait for an operator (the most saving ones are kept)
 *   6. blast-radius        too many nodes of the rack / cluster would be out of service
 *   7. dependencies        an action whose prerequisite (the drain before a reset) was stopped by 2, 3 or 6 is
 *                          stopped by the same rail; a prerequisite stopped by dedup is replaced by the action
 *                          that covers it, one stopped by cooldown was just done and does not block
 *   8. circuit-breaker     too many quarantine actions in the window, or the breaker is already open
 * Then approvals and the dry-run flag are set on every action, and the decision log says what happened and why.
 */
import { advisoryBudgetRail } from './rails/advisory-budget.js';
import { approvalReasons } from './rails/approval.js';
import { blastRadiusRail } from './rails/blast-radius.js';
import { type Candidate, describe, suppress } from './rails/candidate.js';
import { circuitBreakerRail } from './rails/circuit-breaker.js';
import { cooldownRail, dedupRail } from './rails/dedup.js';
import { maintenanceWindowRail, optOutRail } from './rails/scope-rails.js';
import type { ActionDraft, RuleContext } from './rules/context.js';
import type { CircuitBreakerState, DecisionLogEntry, RecommendedAction, SuppressionReason } from './types.js';

export interface SafetyOutcome {
  readonly actions: RecommendedAction[];
  readonly decisions: DecisionLogEntry[];
  readonly circuitBreaker: CircuitBreakerState;
}

const BLOCKING: ReadonlySet<SuppressionReason> = new Set(['opt-out', 'maintenance-window', 'blast-radius']);

/** `drafts` must be in priority order (engine.ts sorts them): earlier ones win dedup and blast-radius budget. */
export function applySafetyRails(drafts: readonly ActionDraft[], ctx: RuleContext): SafetyOutcome {
  const candidates: Candidate[] = drafts.map((draft) => ({ draft }));
  const alias = dedupRail(candidates, ctx);
  optOutRail(candidates, ctx);
  maintenanceWindowRail(candidates, ctx);
  cooldownRail(candidates, ctx);
  advisoryBudgetRail(candidates, ctx);
  blastRadiusRail(candidates, ctx);
  propagateDependencies(candidates);
  const circuitBreaker = circuitBreakerRail(candidates, ctx);
  const approvals = approvalReasons(candidates, ctx);

  const resolve = (id: string): string => alias.get(id) ?? id;
  const finalised = candidates.map((c) => finalise(c, approvals.has(c.draft.id), ctx.input.safety.dryRun, resolve));
  const order = [
    ...finalised.filter((a) => a.status === 'proposed'),
    ...finalised.filter((a) => a.status === 'suppressed'),
  ];
  const decisions: DecisionLogEntry[] = order.map((a) => {
    const c = candidates.find((x) => x.draft.id === a.id)!;
    if (a.status === 'suppressed')
      return {
        actionId: a.id,
        outcome: 'suppressed',
        rail: a.suppressedBy,
        message: `suppressed (${a.suppressedBy}): ${c.why}`,
      };
    const approval = approvals.get(a.id);
    return {
      actionId: a.id,
      outcome: 'proposed',
      message:
        `proposed ${describe(a)} (${a.severity}, confidence ${a.confidence})` +
        `${approval ? `; needs approval: ${approval.join('; ')}` : '; automatic'}${a.dryRun ? '; dry run' : ''}` +
        `${a.supersedes ? `; supersedes ${a.supersedes}, which waited for approval with other parameters` : ''}`,
    };
  });
  return { actions: order, decisions, circuitBreaker };
}

function propagateDependencies(candidates: readonly Candidate[]): void {
  const byId = new Map(candidates.map((c) => [c.draft.id, c]));
  for (let changed = true; changed; ) {
    changed = false;
    for (const c of candidates) {
      if (c.suppressedBy !== undefined) continue;
      const blocker = c.draft.dependsOn
        .map((id) => byId.get(id))
        .find((d) => d?.suppressedBy !== undefined && BLOCKING.has(d.suppressedBy));
      if (blocker?.suppressedBy === undefined) continue;
      suppress(
        c,
        blocker.suppressedBy,
        `it must wait for ${describe(blocker.draft)} (${blocker.draft.id}), which is suppressed: ${blocker.why}`,
      );
      changed = true;
    }
  }
}

function finalise(
  c: Candidate,
  requiresApproval: boolean,
  dryRun: boolean,
  resolve: (id: string) => string,
): RecommendedAction {
  const base = { ...c.draft, dependsOn: c.draft.dependsOn.map(resolve), requiresApproval, dryRun };
  if (c.suppressedBy !== undefined) return { ...base, status: 'suppressed', suppressedBy: c.suppressedBy };
  return { ...base, status: 'proposed', ...(c.supersedes ? { supersedes: c.supersedes } : {}) };
}
