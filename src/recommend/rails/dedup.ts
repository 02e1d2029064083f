/**
 * De-duplication and cooldown.
 * - dedup: the same action (type + target, + ticket kind) is already open, or an earlier (higher-priority)
 *   candidate in this decision is the same action. The duplicate is suppressed and anything that depended on it
 *   depends on the action that stays (the alias map).
 * - supersede: advice whose parameters are the recommendation (a power cap's W) replaces the open record of the
 *   same action while that one only waits for an operator (status proposed): the model now picks another cap, and
 *   approving the old one would apply a cap nothing supports any more. The dispatcher closes the old record as
 *   `superseded` when it stores the new one. Once approved, queued or running, the open record stands (dedup).
 * - cooldown: the same action on the same target was created within `cooldownMs[type]` (whatever became of it:
 *   done, failed or rejected by an operator), so detections of a fault that was just handled, or that an
 *   operator just declined, do not come straight back.
 */
import type { RuleContext } from '../rules/context.js';
import { durationText, isoTime } from '../rules/context.js';
import type { ActionRecord, ActionType } from '../types.js';
import { type Candidate, describe, isLive, OPEN_STATUSES, sameActionKey, suppress } from './candidate.js';

/** Types whose new parameters replace an unapproved open proposal instead of being dropped as its duplicate. */
export const SUPERSEDED_ON_CHANGE: ReadonlySet<ActionType> = new Set(['power_cap_gpu']);

const replaces = (c: Candidate, open: ActionRecord): boolean =>
  open.status === 'proposed' && open.id !== c.draft.id && SUPERSEDED_ON_CHANGE.has(c.draft.type);

/** Suppresses duplicates; returns suppressed id → id of the action that covers it. */
export function dedupRail(candidates: readonly Candidate[], ctx: RuleContext): Map<string, string> {
  const alias = new Map<string, string>();
  const open = new Map<string, ActionRecord>();
  for (const a of ctx.input.openActions)
    if (OPEN_STATUSES.has(a.status) && !open.has(sameActionKey(a))) open.set(sameActionKey(a), a);
  const kept = new Map<string, Candidate>();
  for (const c of candidates) {
    if (!isLive(c)) continue;
    const key = sameActionKey(c.draft);
    const existing = open.get(key);
    if (existing !== undefined && !replaces(c, existing)) {
      suppress(
        c,
        'dedup',
        `${describe(c.draft)} is already open as ${existing.id} (status ${existing.status}, created ${isoTime(existing.createdAt)})`,
      );
      if (existing.id !== c.draft.id) alias.set(c.draft.id, existing.id);
      continue;
    }
    const first = kept.get(key);
    if (first !== undefined) {
      suppress(
        c,
        'dedup',
        `${describe(c.draft)} is already proposed in this decision as ${first.draft.id} (evidence ${first.draft.evidence.key})`,
      );
      alias.set(c.draft.id, first.draft.id);
      continue;
    }
    if (existing !== undefined) c.supersedes = existing.id;
    kept.set(key, c);
  }
  return alias;
}

export function cooldownRail(candidates: readonly Candidate[], ctx: RuleContext): void {
  const { now } = ctx.input;
  // Newest first per action, so a successor skips the proposal it replaces (that one is not "done recently").
  const byKey = new Map<string, ActionRecord[]>();
  for (const a of ctx.input.history) {
    if (a.createdAt > now) continue;
    const list = byKey.get(sameActionKey(a));
    if (list) list.push(a);
    else byKey.set(sameActionKey(a), [a]);
  }
  for (const list of byKey.values()) list.sort((a, b) => b.createdAt - a.createdAt);
  for (const c of candidates) {
    if (!isLive(c)) continue;
    const last = byKey.get(sameActionKey(c.draft))?.find((a) => a.id !== c.supersedes);
    const cooldown = ctx.config.cooldownMs[c.draft.type];
    if (last === undefined || now - last.createdAt >= cooldown) continue;
    suppress(
      c,
      'cooldown',
      `${describe(c.draft)} was last created as ${last.id} at ${isoTime(last.createdAt)} (${last.status}); ` +
        `cooldown ${durationText(cooldown)} lasts until ${isoTime(last.createdAt + cooldown)}`,
    );
  }
}
