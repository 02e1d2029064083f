/**
 * Opt-outs and maintenance windows: where the automation must not act. Operators set them through the API; they
 * are stored durably in QuestDB (`policy_scopes`, append-only, the newest row of an id wins) and the forecast reads
 * the current ones every run, so a window that ends stops applying by itself and a Redis restart forgets nothing.
 * A write is answered only after QuestDB acknowledged it; QuestDB applies it within about a second, so the next
 * forecast run (not necessarily a read in the same millisecond) sees it.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.js';
import type { MaintenanceWindow, ScopeRef } from '../recommend/types.js';
import { currentPolicyScopes, type PolicyScopeRow } from '../telemetry/queries/policy-scopes.js';
import type { TelemetryReader } from '../telemetry/reader.js';
import type { TelemetryWriter } from '../telemetry/writer.js';

export const POLICY_SCOPE_KINDS = ['opt_out', 'maintenance'] as const;
export type PolicyScopeKind = (typeof POLICY_SCOPE_KINDS)[number];

export interface PolicyScope {
  readonly id: string;
  readonly kind: PolicyScopeKind;
  readonly scope: ScopeRef;
  /** Epoch ms; a maintenance window's start (an opt-out applies from when it was set). */
  readonly start?: number;
  /** Epoch ms; required for a maintenance window, optional for an opt-out (until removed). */
  readonly end?: number;
  readonly actor: string;
  readonly note?: string;
  readonly setAt: number;
}

export class PolicyScopes {
  constructor(
    private readonly reader: TelemetryReader,
    private readonly writer: TelemetryWriter,
    private readonly namespace: string,
  ) {}

  async current(now = Date.now()): Promise<PolicyScope[]> {
    // A row whose times cannot be read back (written before the API bounded them) is not an entry in force.
    return (await currentPolicyScopes(this.reader, this.namespace, now))
      .map(toScope)
      .filter((s) => [s.start, s.end, s.setAt].every((t) => t === undefined || Number.isFinite(t)));
  }

  /** The policy's safety inputs at `now`: opt-outs in force and windows not yet over. */
  async forPolicy(now: number): Promise<{ optOut: ScopeRef[]; maintenanceWindows: MaintenanceWindow[] }> {
    const all = await this.current(now);
    return {
      optOut: all.filter((s) => s.kind === 'opt_out' && (s.start ?? 0) <= now).map((s) => s.scope),
      maintenanceWindows: all
        .filter((s) => s.kind === 'maintenance')
        .map((s) => ({
          scope: s.scope,
          start: s.start ?? s.setAt,
          end: s.end ?? s.setAt,
          ...(s.note ? { note: s.note } : {}),
        })),
    };
  }

  async add(
    kind: PolicyScopeKind,
    scope: ScopeRef,
    opts: { start?: number; end?: number; note?: string },
    actor: string,
    now = Date.now(),
  ): Promise<PolicyScope> {
    if (kind === 'maintenance' && (opts.start === undefined || opts.end === undefined))
      throw new AppError('VALIDATION_FAILED', 'a maintenance window needs start and end');
    if (opts.end !== undefined && opts.end <= (opts.start ?? now))
      throw new AppError('VALIDATION_FAILED', 'end must be after start (and after now for an opt-out)');
    // A window already over would be stored but never in force: not listed, not removable (the fuzzer's 201 then
    // 404), and it stops nothing. Refuse it instead of acknowledging an entry that has no effect.
    if (opts.end !== undefined && opts.end <= now)
      throw new AppError(
        'VALIDATION_FAILED',
        `end ${new Date(opts.end).toISOString()} is already past: it would never be in force`,
        {
          field: 'end',
        },
      );
    const entry: PolicyScope = {
      id: `${kind === 'opt_out' ? 'opt' : 'mw'}_${randomUUID().replaceAll('-', '').slice(0, 16)}`,
      kind,
      scope,
      ...(opts.start !== undefined ? { start: opts.start } : {}),
      ...(opts.end !== undefined ? { end: opts.end } : {}),
      actor,
      ...(opts.note ? { note: opts.note } : {}),
      setAt: now,
    };
    await this.write(entry, 0, now);
    return entry;
  }

  /** Remove an entry of `kind` in force; NOT_FOUND when there is none with this id (or it already ended). */
  async remove(kind: PolicyScopeKind, id: string, actor: string, now = Date.now()): Promise<PolicyScope> {
    const entry = (await this.current(now)).find((s) => s.id === id && s.kind === kind);
    if (!entry)
      throw new AppError('NOT_FOUND', `no ${kind === 'opt_out' ? 'opt-out' : 'maintenance window'} ${id} in force`, {
        id,
      });
    await this.write({ ...entry, actor }, 1, now);
    return entry;
  }

  private async write(s: PolicyScope, removed: 0 | 1, ts: number): Promise<void> {
    await this.writer.writeDurable('policy_scopes', [
      {
        ts,
        symbols: {
          id: s.id,
          kind: s.kind,
          scope_kind: s.scope.kind,
          scope_id: s.scope.id,
          actor: s.actor,
          namespace: this.namespace,
        },
        timestamps: {
          ...(s.start !== undefined ? { start_ts: s.start } : {}),
          ...(s.end !== undefined ? { end_ts: s.end } : {}),
        },
        strings: s.note ? { note: s.note } : {},
        longs: { removed },
      },
    ]);
  }
}

function toScope(r: PolicyScopeRow): PolicyScope {
  return {
    id: r.id,
    kind: r.kind as PolicyScopeKind,
    scope: { kind: r.scope_kind as ScopeRef['kind'], id: r.scope_id },
    ...(r.start_ts !== null ? { start: Number(r.start_ts) } : {}),
    ...(r.end_ts !== null ? { end: Number(r.end_ts) } : {}),
    actor: r.actor,
    ...(r.note ? { note: r.note } : {}),
    setAt: Number(r.ts),
  };
}
