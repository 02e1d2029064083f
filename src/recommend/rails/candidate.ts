/**
 * A candidate action going through the safety rails: the rule's draft plus the first rail that suppressed it.
 * Rails run in a fixed order (safety.ts) and never un-suppress: the first reason is the one reported.
 */
import type { ActionDraft } from '../rules/context.js';
import type { ActionRecord, ActionRecordStatus, ActionTarget, ActionType, SuppressionReason } from '../types.js';

export interface Candidate {
  readonly draft: ActionDraft;
  suppressedBy?: SuppressionReason;
  /** Why the rail suppressed it, for the decision log. */
  why?: string;
  /** The open, still unapproved record of the same action this one replaces (dedup.ts, `SUPERSEDED_ON_CHANGE`). */
  supersedes?: string;
}

export function suppress(c: Candidate, rail: SuppressionReason, why: string): void {
  if (c.suppressedBy !== undefined) return;
  c.suppressedBy = rail;
  c.why = why;
}

export const isLive = (c: Candidate): boolean => c.suppressedBy === undefined;

export const OPEN_STATUSES: ReadonlySet<ActionRecordStatus> = new Set(['proposed', 'approved', 'queued', 'running']);

/** "The same action on the same target": type + target, and the ticket kind (an RMA is not a cooling ticket). */
export function sameActionKey(a: {
  type: ActionType;
  target: Pick<ActionTarget, 'kind' | 'id'>;
  params?: ActionRecord['params'];
}): string {
  const kind = a.params?.ticketKind;
  return `${a.type}|${a.target.kind}|${a.target.id}|${typeof kind === 'string' ? kind : ''}`;
}

export const describe = (a: { type: ActionType; target: Pick<ActionTarget, 'kind' | 'id'> }): string =>
  `${a.type} on ${a.target.kind} ${a.target.id}`;
