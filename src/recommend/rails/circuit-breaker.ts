/**
 * Circuit breaker: a burst of quarantine-type actions (drains, reboots, resets) is more often a bad model
 * version, a telemetry bug or a facility event than that many independent GPU faults. More than `maxActions`
 * of them within `windowMs` (past and open ones, plus those this decision would add) trips the breaker; while it
 * is open every automatic action is suppressed (the exempt types, tickets and cooling alerts, still go out: they
 * inform people and change nothing) until an operator resets it. Actions created before the operator's reset,
 * and rejected or cancelled ones (never executed), do not count.
 */
import type { RuleContext } from '../rules/context.js';
import { durationText } from '../rules/context.js';
import type { CircuitBreakerState } from '../types.js';
import { type Candidate, isLive, suppress } from './candidate.js';

export function circuitBreakerRail(candidates: readonly Candidate[], ctx: RuleContext): CircuitBreakerState {
  const cfg = ctx.config.circuitBreaker;
  const { now, safety } = ctx.input;
  const quarantine = new Set(cfg.quarantineTypes);
  const since = Math.max(now - cfg.windowMs, safety.circuitBreakerResetAt ?? Number.NEGATIVE_INFINITY);
  const past = new Set<string>();
  for (const a of [...ctx.input.history, ...ctx.input.openActions]) {
    if (!quarantine.has(a.type) || a.status === 'rejected' || a.status === 'cancelled') continue;
    if (a.createdAt >= since && a.createdAt <= now) past.add(a.id);
  }
  const adding = candidates.filter((c) => isLive(c) && quarantine.has(c.draft.type) && !past.has(c.draft.id));
  const count = past.size + adding.length;
  const shouldTrip = !safety.circuitBreakerTripped && count > cfg.maxActions;
  const tripped = safety.circuitBreakerTripped || shouldTrip;
  if (tripped) {
    const why = safety.circuitBreakerTripped
      ? 'the circuit breaker is open (it tripped earlier; an operator must reset it)'
      : `the circuit breaker trips: ${count} quarantine actions within ${durationText(cfg.windowMs)} ` +
        `(${past.size} past or open + ${adding.length} now) exceed the limit of ${cfg.maxActions}`;
    const exempt = new Set(cfg.exemptTypes);
    for (const c of candidates) if (isLive(c) && !exempt.has(c.draft.type)) suppress(c, 'circuit-breaker', why);
  }
  return { tripped, shouldTrip, count, limit: cfg.maxActions, windowMs: cfg.windowMs };
}
