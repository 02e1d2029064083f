/**
 * Which actions wait for an operator: those at or above `approval.minSeverity`, the types that always do (a
 * reboot), tickets of the listed kinds (an RMA sends hardware back), and every node-removing action when this
 * decision would take out more nodes than `maxAutoNodeRemovals` (draining several nodes at once is a capacity
 * decision, not a reflex).
 */
import { SEVERITY_RANK } from '../config.js';
import type { RuleContext } from '../rules/context.js';
import type { TicketKind } from '../types.js';
import { type Candidate, isLive } from './candidate.js';

/** id → the reasons the action needs approval (absent: it does not). */
export function approvalReasons(candidates: readonly Candidate[], ctx: RuleContext): Map<string, string[]> {
  const cfg = ctx.config.approval;
  const removing = new Set(ctx.config.blastRadius.nodeRemovingTypes);
  const nodesOut = new Set(
    candidates.filter((c) => isLive(c) && removing.has(c.draft.type)).map((c) => c.draft.target.id),
  );
  const out = new Map<string, string[]>();
  for (const { draft } of candidates) {
    const reasons: string[] = [];
    if (SEVERITY_RANK[draft.severity] >= SEVERITY_RANK[cfg.minSeverity])
      reasons.push(`severity ${draft.severity} (approval from ${cfg.minSeverity})`);
    if (cfg.alwaysTypes.includes(draft.type)) reasons.push(`${draft.type} always needs approval`);
    const kind = draft.params.ticketKind;
    if (draft.type === 'open_ticket' && typeof kind === 'string' && cfg.ticketKinds.includes(kind as TicketKind)) {
      reasons.push(`${kind} tickets need approval`);
    }
    if (removing.has(draft.type) && nodesOut.size > cfg.maxAutoNodeRemovals) {
      reasons.push(
        `${nodesOut.size} nodes would go out of service in this decision (more than ${cfg.maxAutoNodeRemovals} needs approval)`,
      );
    }
    if (reasons.length > 0) out.set(draft.id, reasons);
  }
  return out;
}
