/**
 * Opt-outs and maintenance windows (what each covers: scope.ts).
 * - opt-out: the owner of a scope asked for no automatic actions there; every action type is suppressed.
 * - maintenance window: people are working on the scope. Our choice: suppress every action whose scope is in a
 *   window active now, or active when a scheduled action would run (`notBefore`), so automation never fights the
 *   people on the floor; the action comes back after the window if the evidence is still there.
 */
import type { RuleContext } from '../rules/context.js';
import { isoTime } from '../rules/context.js';
import { type Candidate, describe, isLive, suppress } from './candidate.js';
import { covers } from './scope.js';

export function optOutRail(candidates: readonly Candidate[], ctx: RuleContext): void {
  for (const c of candidates) {
    if (!isLive(c)) continue;
    const scope = ctx.input.safety.optOut.find((s) => covers(s, c.draft, ctx.topo));
    if (scope !== undefined)
      suppress(
        c,
        'opt-out',
        `${describe(c.draft)} touches ${scope.kind} ${scope.id}, which opted out of automatic actions`,
      );
  }
}

export function maintenanceWindowRail(candidates: readonly Candidate[], ctx: RuleContext): void {
  const { now } = ctx.input;
  for (const c of candidates) {
    if (!isLive(c)) continue;
    const runsAt = c.draft.notBefore ?? now;
    const w = ctx.input.safety.maintenanceWindows.find(
      (m) =>
        ((m.start <= now && now < m.end) || (m.start <= runsAt && runsAt < m.end)) &&
        covers(m.scope, c.draft, ctx.topo),
    );
    if (w !== undefined) {
      suppress(
        c,
        'maintenance-window',
        `${describe(c.draft)} falls in the maintenance window of ${w.scope.kind} ${w.scope.id} ` +
          `(${isoTime(w.start)} to ${isoTime(w.end)}${w.note ? `: ${w.note}` : ''})`,
      );
    }
  }
}
