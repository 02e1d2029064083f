/**
 * The remediation audit and its idempotency. Each execution attempt is one row in QuestDB `remediation_actions`
 * (append-only), written durably before the job completes.
 *
 * Exactly once, even across a worker killed mid-job: after the executor succeeds, the outcome is first stored in
 * Redis under the action id (`SET NX`, the completion marker), then the row is written. A retried job (BullMQ's
 * stalled-job recovery moves it back to wait) finds the marker, does not execute again, and rewrites the SAME row —
 * same designated timestamp (the action's creation time), action id and attempt — which the table's
 * DEDUP UPSERT KEYS(ts, action_id, attempt) collapse into one. Failed attempts get their own rows (their own
 * attempt numbers), so the audit also shows what went wrong before a success.
 */
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { RecommendedAction } from '../recommend/types.js';
import type { TelemetryWriter } from '../telemetry/writer.js';

export type AuditResult = 'succeeded' | 'dry-run' | 'failed' | 'error';

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
  readonly finished: number;
  readonly attempt: number;
  readonly dryRun: boolean;
  readonly worker: string;
  readonly detail?: string;
  readonly error?: string;
}

export const workerIdentity = (): string => `${hostname()}:${process.pid}`;

export class ActionAudit {
  constructor(
    private readonly redis: Redis,
    private readonly writer: TelemetryWriter,
    private readonly keyPrefix: string,
    /** How long completion markers live (seconds): longer than any retry of the job. @defaultValue 30 days */
    private readonly markerTtlS = 30 * 86_400,
  ) {}

  private markerKey(actionId: string): string {
    return `${this.keyPrefix}:done:${actionId}`;
  }

  async completed(actionId: string): Promise<CompletionMarker | undefined> {
    const raw = await this.redis.get(this.markerKey(actionId));
    return raw ? (JSON.parse(raw) as CompletionMarker) : undefined;
  }

  /** Record that the action ran; returns the marker that stands (an earlier one wins). */
  async markCompleted(actionId: string, marker: CompletionMarker): Promise<CompletionMarker> {
    const set = await this.redis.set(this.markerKey(actionId), JSON.stringify(marker), 'EX', this.markerTtlS, 'NX');
    if (set === 'OK') return marker;
    return (await this.completed(actionId)) ?? marker;
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
        strings: { reason: a.reason, detail: e.detail ?? '', error: e.error ?? '' },
        timestamps: { started: e.started, finished: e.finished },
        longs: { attempt: e.attempt, dry_run: e.dryRun ? 1 : 0 },
      },
    ]);
  }
}
