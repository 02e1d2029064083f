/**
 * The remediation audit and its idempotency. Each execution attempt is ONE row in QuestDB `remediation_actions`,
 * written in two phases (see migration 007): `started` durably BEFORE the side effect, then the outcome after it,
 * under the same dedup key (the action's creation time, action id, attempt), so the outcome replaces the started
 * row. A worker killed during the side effect leaves its attempt as "started, outcome unknown".
 *
 * Attempts: `beginAttempt` increments a Redis counter per execution (one occurrence of an action) atomically, so
 * every start — a BullMQ retry after an error, or a stalled-job recovery after a worker was killed — gets a new
 * number, whichever process runs it. Not `job.attemptsMade`: BullMQ leaves it unchanged by stalled-job recovery.
 *
 * Once the side effect succeeded, the outcome is stored in Redis (`SET NX`, the completion marker) before its row.
 * A retry that finds the marker does not execute again: it rewrites the SAME attempt's finished row (the dedup key
 * collapses it). Without a marker the retry executes again (at-least-once) with the same idempotency key, which
 * the receiver deduplicates.
 */
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { RecommendedAction } from '../recommend/types.js';
import type { TelemetryWriter } from '../telemetry/writer.js';
import { command, runScript } from './lua.js';

const START_ATTEMPT = command('start-action-attempt');

/** What the start of an attempt found (one script: record, completion marker, attempt number). */
export interface AttemptStart {
  /** The record as HGETALL returns it (empty: no record). */
  readonly record: readonly string[];
  readonly marker?: CompletionMarker;
  /** The attempt number taken; 0 when none was (a marker stands, or the record is not ready to run). */
  readonly attempt: number;
}

/** `started`: the attempt began and its outcome is not (yet) known; the others are outcomes. */
export type AuditResult = 'started' | 'succeeded' | 'dry-run' | 'failed' | 'error';

export interface CompletionMarker {
  readonly result: 'succeeded' | 'dry-run';
  readonly detail: string;
  readonly executor: string;
  readonly started: number;
  readonly finished: number;
  readonly attempt: number;
  readonly worker: string;
}

export interface AuditEntry {
  readonly action: RecommendedAction;
  /** The action's creation time: the row's designated timestamp. */
  readonly createdAt: number;
  readonly result: AuditResult;
  readonly executor: string;
  readonly requestedBy: string;
  readonly approvedBy?: string;
  readonly started: number;
  /** Absent while the attempt is `started`. */
  readonly finished?: number;
  readonly attempt: number;
  readonly dryRun: boolean;
  readonly worker: string;
  /** The receiver's deduplication key for this execution (the same on every attempt). */
  readonly idempotencyKey: string;
  readonly detail?: string;
  readonly error?: string;
}

export const workerIdentity = (): string => `${hostname()}:${process.pid}`;

export class ActionAudit {
  constructor(
    private readonly redis: Redis,
    private readonly writer: TelemetryWriter,
    private readonly keyPrefix: string,
    /** How long completion markers and attempt counters live (seconds): longer than any retry. @defaultValue 30 days */
    private readonly markerTtlS = 30 * 86_400,
  ) {}

  private markerKey(executionId: string): string {
    return `${this.keyPrefix}:done:${executionId}`;
  }

  private attemptKey(executionId: string): string {
    return `${this.keyPrefix}:attempts:${executionId}`;
  }

  /** The next attempt number of this execution (1-based), taken atomically: no two starts share one. */
  async beginAttempt(executionId: string): Promise<number> {
    const key = this.attemptKey(executionId);
    const res = await this.redis.multi().incr(key).expire(key, this.markerTtlS).exec();
    const [err, n] = res?.[0] ?? [new Error('attempt counter: MULTI was discarded'), null];
    if (err) throw err;
    return Number(n);
  }

  /**
   * The start of an attempt in one round trip (commands/start-action-attempt.lua): the record, the marker and, when
   * the attempt will run, its number, taken the way `beginAttempt` takes it.
   */
  async startAttempt(executionId: string, recordKey: string, occurrence: number): Promise<AttemptStart> {
    const [record, marker, attempt] = (await runScript(
      this.redis,
      START_ATTEMPT,
      [recordKey, this.markerKey(executionId), this.attemptKey(executionId)],
      [String(occurrence), String(this.markerTtlS)],
    )) as [string[], string, number];
    return {
      record,
      ...(marker ? { marker: JSON.parse(marker) as CompletionMarker } : {}),
      attempt: Number(attempt),
    };
  }

  async completed(executionId: string): Promise<CompletionMarker | undefined> {
    const raw = await this.redis.get(this.markerKey(executionId));
    return raw ? (JSON.parse(raw) as CompletionMarker) : undefined;
  }

  /** Record that the action ran; returns the marker that stands (an earlier one wins). */
  async markCompleted(executionId: string, marker: CompletionMarker): Promise<CompletionMarker> {
    const set = await this.redis.set(this.markerKey(executionId), JSON.stringify(marker), 'EX', this.markerTtlS, 'NX');
    if (set === 'OK') return marker;
    return (await this.completed(executionId)) ?? marker;
  }

  /** Durable: resolves once QuestDB acknowledged the row. */
  async record(e: AuditEntry): Promise<void> {
    const a = e.action;
    await this.writer.writeDurable('remediation_actions', [
      {
        ts: e.createdAt,
        symbols: {
          action_id: a.id,
          type: a.type,
          target: a.target.id,
          target_kind: a.target.kind,
          cluster: a.target.cluster,
          severity: a.severity,
          executor: e.executor,
          result: e.result,
          requested_by: e.requestedBy || 'policy',
          approved_by: e.approvedBy || (a.requiresApproval ? 'unknown' : 'auto'),
          worker: e.worker,
        },
        strings: { reason: a.reason, detail: e.detail ?? '', error: e.error ?? '', idempotency_key: e.idempotencyKey },
        // A started row has no finished time: NULL is what says "outcome unknown" if it is never replaced.
        timestamps: e.finished === undefined ? { started: e.started } : { started: e.started, finished: e.finished },
        longs: { attempt: e.attempt, dry_run: e.dryRun ? 1 : 0 },
      },
    ]);
  }
}
