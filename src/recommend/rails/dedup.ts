/**
 * De-duplication and cooldown.
 * - dedup: the same action (type + target, + ticket kind) is already open, or an earlier (higher-priority)
 *   candidate in this decision is the same action. The duplicate is suppressed and anything that depended on it
 *   depends on the action that stays (the alias map).
 * - cooldown: the same action on the same target was created within `cooldownMs[type]` (whatever became of it:
 *   done, failed or rejected by an operator), so detections of a fault that was just handled, or that an
 *   operator just declined, do not come straight back.
 */
import type { RuleContext } from '../rules/context.js';
import { durationText, isoTime } from '../rules/context.js';
import type { ActionRecord } from '../types.js';
import { type Candidate, describe, isLive, OPEN_STATUSES, sameActionKey, suppress } from './candidate.js';

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
    if (existing !== undefined) {
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
    kept.set(key, c);
  }
  return alias;
}

export function cooldownRail(candidates: readonly Candidate[], ctx: RuleContext): void {
  const { now } = ctx.input;
  const latest = new Map<string, ActionRecord>();
  for (const a of ctx.input.history) {
    if (a.createdAt > now) continue;
    const prev = latest.get(sameActionKey(a));
    if (prev === undefined || a.createdAt > prev.createdAt) latest.set(sameActionKey(a), a);
  }
  for (const c of candidates) {
    if (!isLive(c)) continue;
    const last = latest.get(sameActionKey(c.draft));
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
