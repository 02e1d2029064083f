/**
 * What every rule receives, the draft it returns, and the few formatting helpers reasons share.
 * A draft is an action before the safety rails decided its status, approval and dry-run flag.
 */
import type { PolicyConfig } from '../config.js';
import { actionId } from '../ids.js';
import type { TopologyIndex } from '../topology.js';
import type {
  DecisionLogEntry,
  FeatureContribution,
  ModelRef,
  PolicyInput,
  RecommendedAction,
  Withdrawal,
} from '../types.js';

export interface RuleContext {
  /** Canonical input: arrays sorted, so rules see the same order whatever order the caller used. */
  readonly input: PolicyInput;
  readonly config: PolicyConfig;
  readonly topo: TopologyIndex;
  /** Add a note to the decision log (unknown device, stale score, no power-cap candidate ...). */
  note(message: string): void;
  /** Close an open, unapproved recommendation the evidence no longer supports (noted in the decision log). */
  withdraw(id: string, reason: string): void;
}

export type ActionDraft = Omit<RecommendedAction, 'requiresApproval' | 'status' | 'suppressedBy' | 'dryRun'>;

export type DraftFields = Omit<ActionDraft, 'id' | 'dependsOn' | 'params'> & {
  readonly dependsOn?: readonly string[];
  readonly params?: ActionDraft['params'];
};

/** A draft with its stable id (type + target + evidence key). */
export function draft(fields: DraftFields): ActionDraft {
  return {
    ...fields,
    id: actionId(fields.type, fields.target, fields.evidence.key),
    params: fields.params ?? {},
    dependsOn: fields.dependsOn ?? [],
  };
}

export function createContext(
  input: PolicyInput,
  config: PolicyConfig,
  topo: TopologyIndex,
  log: DecisionLogEntry[],
  withdrawn: Withdrawal[] = [],
): RuleContext {
  return {
    input,
    config,
    topo,
    note: (message) => log.push({ outcome: 'note', message }),
    withdraw: (id, reason) => {
      withdrawn.push({ id, reason });
      log.push({ actionId: id, outcome: 'note', message: `withdraws ${id}: ${reason}` });
    },
  };
}

/** A score, prediction or reading recent enough to act on. */
export function isFresh(ctx: RuleContext, ts: number): boolean {
  return ctx.input.now - ts <= ctx.config.maxInputAgeMs;
}

/** The latest item per key (ties: the later one in canonical order). */
export function latestByKey<T extends { ts: number }>(items: readonly T[], key: (t: T) => string): Map<string, T> {
  const out = new Map<string, T>();
  for (const it of items) {
    const prev = out.get(key(it));
    if (prev === undefined || it.ts >= prev.ts) out.set(key(it), it);
  }
  return out;
}

export const isoTime = (ts: number): string => new Date(ts).toISOString();
export const modelName = (m: ModelRef): string => `${m.name}@${m.version}`;
export const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

export function durationText(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes} min`;
  const hours = ms / 3_600_000;
  return hours < 48 ? `${round(hours, 1)} h` : `${round(hours / 24, 1)} d`;
}

/** Largest contributors first, ties by name; at most `n`. */
export function topFeatures(list: readonly FeatureContribution[], n: number): FeatureContribution[] {
  return [...list]
    .filter((f) => Number.isFinite(f.contribution))
    .sort((a, b) => b.contribution - a.contribution || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, n);
}

export const featuresText = (list: readonly FeatureContribution[]): string =>
  list.map((f) => `${f.name} (${round(f.contribution, 3)})`).join(', ');
