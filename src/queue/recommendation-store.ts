/**
 * Recommendations and their status. Choice: the live state is one Redis hash per recommendation (atomic status
 * transitions in Lua, shared by every API replica and worker), indexed by a sorted set on creation time; every
 * creation and transition is also appended to QuestDB's `recommendations` table, the durable history reports query.
 *
 * The id is the policy's stable action id, so `create` is idempotent: a fault detected again gives the same id and
 * creates nothing. Terminal records (executed, failed, rejected, suppressed, superseded) expire from Redis after
 * `retentionS`.
 * A closed record the policy proposes again (its cooldown over, the fault back) is reopened as a new occurrence:
 * new creation time, new job, new audit rows.
 */
import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';
import type { RecommendedAction } from '../recommend/types.js';
import { lastRecordedStatuses } from '../telemetry/queries/recommendation-history.js';
import type { TelemetryReader } from '../telemetry/reader.js';
import type { TelemetryWriter } from '../telemetry/writer.js';
import { command, runScript, runScriptMany } from './lua.js';

export const RECOMMENDATION_STATUSES = [
  'proposed',
  'approved',
  'rejected',
  'queued',
  'executed',
  'failed',
  'suppressed',
  // Closed by the policy unapproved: a newer recommendation of the same action replaced it (its `supersedes`).
  'superseded',
] as const;
export type RecommendationStatus = (typeof RECOMMENDATION_STATUSES)[number];
const TERMINAL: ReadonlySet<RecommendationStatus> = new Set([
  'rejected',
  'executed',
  'failed',
  'suppressed',
  'superseded',
]);
/** The policy's own verdicts, not decisions: a record lost with Redis is simply proposed again. */
const POLICY_ONLY: ReadonlySet<string> = new Set(['proposed', 'suppressed', 'superseded']);
/** A person's decision is answered only once it is on record in QuestDB (the rest is flushed within a second). */
const DURABLE_DECISIONS: ReadonlySet<RecommendationStatus> = new Set(['approved', 'rejected']);

/** What an operator found after a recommendation (POST /v1/recommendations/:id/outcome). */
export const RECOMMENDATION_OUTCOMES = ['confirmed', 'false_alarm', 'unknown'] as const;
export type RecommendationOutcome = (typeof RECOMMENDATION_OUTCOMES)[number];

const CREATE = command('create-recommendation');
const REOPEN = command('reopen-recommendation');
const TRANSITION = command('transition-recommendation');
const SET_OUTCOME = command('set-recommendation-outcome');

export interface StoredRecommendation {
  readonly id: string;
  readonly action: RecommendedAction;
  readonly status: RecommendationStatus;
  /** When this occurrence was created: the audit rows' designated timestamp. */
  readonly createdAt: number;
  readonly updatedAt: number;
  /**
   * 1 for the first time the policy proposed this action; +1 each time the same fault comes back after the last
   * occurrence was closed (executed, failed, rejected) and the policy's cooldown let it through again.
   */
  readonly occurrence: number;
  readonly requestedBy: string;
  readonly approvedBy?: string;
  readonly rejectedBy?: string;
  readonly note?: string;
  /** Set by an operator once the fault was (or was not) found; the durable record is `recommendation_outcomes`. */
  readonly outcome?: { readonly value: RecommendationOutcome; readonly by: string; readonly at: number };
}

export interface RecommendationFilter {
  readonly status?: RecommendationStatus;
  readonly target?: string;
  readonly severity?: string;
  readonly type?: string;
  readonly since?: number;
  readonly limit?: number;
}

export interface RecommendationStoreOptions {
  /** Namespace, e.g. `${prefix}:fs`. */
  readonly keyPrefix: string;
  /** Durable history; absent: Redis only (benchmarks of the bare path). */
  readonly writer?: TelemetryWriter;
  /**
   * Reads the durable history back when Redis has no record of an id (Redis lost its data): a recorded decision is
   * restored instead of being proposed again as new. Absent: Redis alone decides what is new.
   */
  readonly reader?: TelemetryReader;
  /** @defaultValue 30 days */
  readonly retentionS?: number;
}

export class RecommendationStore {
  private readonly retentionS: number;

  constructor(
    private readonly redis: Redis,
    private readonly opts: RecommendationStoreOptions,
  ) {
    this.retentionS = opts.retentionS ?? 30 * 86_400;
  }

  /** The record's hash (for scripts that read it together with other keys, e.g. the start of an attempt). */
  key(id: string): string {
    return `${this.opts.keyPrefix}:rec:${id}`;
  }

  /** A record from the flat field/value list HGETALL returns inside a script; undefined when it does not exist. */
  fromHash(id: string, flat: readonly string[]): StoredRecommendation | undefined {
    return parse(id, Object.fromEntries(pairs(flat)));
  }
  private get index(): string {
    return `${this.opts.keyPrefix}:recs`;
  }

  /**
   * `create` for a policy decision's actions in one round trip; per action, true when it was created. An action
   * `queued` says is created as queued directly (no approval needed: the caller adds its job next), recorded in the
   * history as proposed, then queued.
   */
  async createMany(
    actions: readonly RecommendedAction[],
    requestedBy: string,
    now: number,
    queued: (a: RecommendedAction) => boolean,
  ): Promise<boolean[]> {
    const restored = await this.restoreRecordedDecisions(actions);
    const statusOf = (a: RecommendedAction): RecommendationStatus =>
      a.status === 'suppressed' ? 'suppressed' : queued(a) ? 'queued' : 'proposed';
    const todo = actions.filter((_, i) => !restored[i]);
    const replies = await runScriptMany(
      this.redis,
      CREATE,
      todo.map((a) => ({
        keys: [this.key(a.id), this.index],
        args: [
          JSON.stringify(a),
          statusOf(a),
          String(now),
          requestedBy,
          a.id,
          String(TERMINAL.has(statusOf(a)) ? this.retentionS : 0),
        ],
      })),
    );
    const created = new Map(todo.map((a, i) => [a, replies[i] === 1]));
    const queuedAt = Date.now();
    for (const a of todo) {
      if (!created.get(a)) continue;
      const status = statusOf(a);
      const note = a.suppressedBy ? `suppressed: ${a.suppressedBy}` : '';
      await this.history(a, status === 'queued' ? 'proposed' : status, requestedBy, now, note);
      if (status === 'queued') await this.history(a, 'queued', requestedBy, queuedAt, '');
    }
    return actions.map((a) => created.get(a) ?? false);
  }

  /** Store a new recommendation; false when one with this id exists already (a repeated detection). */
  async create(action: RecommendedAction, requestedBy: string, now = Date.now()): Promise<boolean> {
    if ((await this.restoreRecordedDecisions([action]))[0]) return false;
    const status: RecommendationStatus = action.status === 'suppressed' ? 'suppressed' : 'proposed';
    const expire = TERMINAL.has(status) ? this.retentionS : 0;
    const created = await runScript(
      this.redis,
      CREATE,
      [this.key(action.id), this.index],
      [JSON.stringify(action), status, String(now), requestedBy, action.id, String(expire)],
    );
    if (created !== 1) return false;
    await this.history(
      action,
      status,
      requestedBy,
      now,
      action.suppressedBy ? `suppressed: ${action.suppressedBy}` : '',
    );
    return true;
  }

  /**
   * Per action: when Redis has no record of its id but QuestDB's history holds a decision for it (Redis restarted
   * without persistence), put that decision back in Redis and report it as existing (true). Proposed, suppressed or
   * superseded history is not a decision: the action is created as usual. One EXISTS pipeline and one QuestDB
   * query for all.
   */
  private async restoreRecordedDecisions(actions: readonly RecommendedAction[]): Promise<boolean[]> {
    const reader = this.opts.reader;
    if (!reader || actions.length === 0) return actions.map(() => false);
    const pipeline = this.redis.pipeline();
    for (const a of actions) pipeline.exists(this.key(a.id));
    const replies = (await pipeline.exec()) ?? [];
    const absent = actions.filter((_, i) => {
      const [err, n] = replies[i] ?? [new Error('pipeline reply missing'), null];
      if (err) throw err;
      return Number(n) !== 1;
    });
    const recorded = await lastRecordedStatuses(
      reader,
      this.opts.keyPrefix,
      absent.map((a) => a.id),
    );
    const decided = absent.flatMap((a) => {
      const last = recorded.get(a.id);
      return last && !POLICY_ONLY.has(last.status) ? [{ a, last }] : [];
    });
    const restored = await runScriptMany(
      this.redis,
      CREATE,
      decided.map(({ a, last }) => ({
        keys: [this.key(a.id), this.index],
        args: [
          JSON.stringify(a),
          last.status,
          String(last.ts),
          last.actor,
          a.id,
          String(TERMINAL.has(last.status as RecommendationStatus) ? this.retentionS : 0),
        ],
      })),
    );
    const occurrences = this.redis.pipeline();
    for (const [i, { a, last }] of decided.entries())
      if (restored[i] === 1) occurrences.hset(this.key(a.id), 'occurrence', String(last.occurrences));
    for (const [err] of (await occurrences.exec()) ?? []) if (err) throw err;
    const ids = new Set(decided.map(({ a }) => a.id));
    return actions.map((a) => ids.has(a.id));
  }

  async get(id: string): Promise<StoredRecommendation | undefined> {
    const h = await this.redis.hgetall(this.key(id));
    return parse(id, h);
  }

  async require(id: string): Promise<StoredRecommendation> {
    const rec = await this.get(id);
    if (!rec) throw new AppError('NOT_FOUND', `no recommendation ${id}`, { id });
    return rec;
  }

  /**
   * Move `id` to `to` if its status is one of `from`; returns the record after the change. Throws NOT_FOUND for an
   * unknown id and CONFLICT (naming the current status) when the transition is not allowed.
   */
  async transition(
    id: string,
    from: readonly RecommendationStatus[],
    to: RecommendationStatus,
    actor: string,
    extra: { approvedBy?: string; rejectedBy?: string; note?: string; action?: string } = {},
    now = Date.now(),
  ): Promise<StoredRecommendation> {
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(extra)) if (v !== undefined) fields[k] = v;
    const [before, after] = (await runScript(
      this.redis,
      TRANSITION,
      [this.key(id)],
      [to, String(now), JSON.stringify(from), JSON.stringify(fields), String(TERMINAL.has(to) ? this.retentionS : 0)],
    )) as [string, string[]?];
    if (before === '') throw new AppError('NOT_FOUND', `no recommendation ${id}`, { id });
    if (!from.includes(before as RecommendationStatus)) {
      throw new AppError('CONFLICT', `recommendation ${id} is ${before}; it cannot become ${to}`, {
        id,
        status: before,
        wanted: to,
      });
    }
    const rec = parse(id, Object.fromEntries(pairs(after ?? [])));
    if (!rec) throw new AppError('NOT_FOUND', `no recommendation ${id}`, { id });
    await this.history(rec.action, to, actor, now, extra.note ?? '', DURABLE_DECISIONS.has(to));
    return rec;
  }

  /**
   * A recommendation the rails suppressed earlier and the policy now proposes (the rail no longer applies: the
   * breaker was reset, a maintenance window ended), or one superseded earlier whose parameters the policy picks
   * again: it becomes proposed again, with the new evidence (and without the note that said why it closed).
   */
  async repropose(action: RecommendedAction, actor: string, now = Date.now()): Promise<StoredRecommendation> {
    return this.transition(
      action.id,
      ['suppressed', 'superseded'],
      'proposed',
      actor,
      { action: JSON.stringify(action), note: '' },
      now,
    );
  }

  /** Reopen a closed recommendation as its next occurrence; undefined when it is not closed. */
  async reopen(
    action: RecommendedAction,
    requestedBy: string,
    now = Date.now(),
  ): Promise<StoredRecommendation | undefined> {
    const n = await runScript(
      this.redis,
      REOPEN,
      [this.key(action.id), this.index],
      [JSON.stringify(action), String(now), requestedBy, action.id],
    );
    if (!n) return undefined;
    await this.history(action, 'proposed', requestedBy, now, `occurrence ${n}`);
    return this.get(action.id);
  }

  /**
   * Keep an operator's outcome on the live record (status and expiry unchanged). The caller stores it durably
   * first (src/queue/recommendation-outcome.ts). Throws NOT_FOUND for an unknown id.
   */
  async setOutcome(
    id: string,
    value: RecommendationOutcome,
    by: string,
    at = Date.now(),
  ): Promise<StoredRecommendation> {
    const set = await runScript(this.redis, SET_OUTCOME, [this.key(id)], [value, by, String(at)]);
    if (set !== 1) throw new AppError('NOT_FOUND', `no recommendation ${id}`, { id });
    return this.require(id);
  }

  /** Newest first, filtered; scans at most the newest `scan` records. */
  async list(filter: RecommendationFilter = {}, scan = 5_000): Promise<StoredRecommendation[]> {
    const limit = filter.limit ?? 100;
    const ids =
      filter.since === undefined
        ? await this.redis.zrevrange(this.index, 0, scan - 1)
        : await this.redis.zrevrangebyscore(this.index, '+inf', String(filter.since), 'LIMIT', 0, scan);
    if (ids.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.hgetall(this.key(id));
    const results = (await pipe.exec()) ?? [];
    const out: StoredRecommendation[] = [];
    const gone: string[] = [];
    ids.forEach((id, i) => {
      const rec = parse(id, (results[i]?.[1] ?? {}) as Record<string, string>);
      if (!rec) {
        gone.push(id);
        return;
      }
      if (filter.status && rec.status !== filter.status) return;
      if (filter.type && rec.action.type !== filter.type) return;
      if (filter.severity && rec.action.severity !== filter.severity) return;
      if (filter.target && rec.action.target.id !== filter.target && rec.action.target.node !== filter.target) return;
      if (out.length < limit) out.push(rec);
    });
    // Expired hashes leave their index entry behind: prune as we meet them.
    if (gone.length > 0) await this.redis.zrem(this.index, ...gone);
    return out;
  }

  private async history(
    action: RecommendedAction,
    status: RecommendationStatus,
    actor: string,
    ts: number,
    note: string,
    durable = false,
  ): Promise<void> {
    const w = this.opts.writer;
    if (!w) return;
    await (durable ? w.writeDurable.bind(w) : w.writeRows.bind(w))('recommendations', [
      {
        ts,
        symbols: {
          id: action.id,
          status,
          type: action.type,
          target: action.target.id,
          cluster: action.target.cluster,
          severity: action.severity,
          actor,
          namespace: this.opts.keyPrefix,
          rack: action.target.rack,
        },
        doubles: { confidence: action.confidence },
        strings: { reason: action.reason, evidence: JSON.stringify(action.evidence), note },
      },
    ]);
  }
}

function* pairs(flat: readonly string[]): Generator<[string, string]> {
  for (let i = 0; i + 1 < flat.length; i += 2) yield [flat[i], flat[i + 1]];
}

function parse(id: string, h: Record<string, string>): StoredRecommendation | undefined {
  if (!h.action || !h.status) return undefined;
  return {
    id,
    action: JSON.parse(h.action) as RecommendedAction,
    status: h.status as RecommendationStatus,
    createdAt: Number(h.createdAt),
    updatedAt: Number(h.updatedAt),
    occurrence: Number(h.occurrence ?? 1),
    requestedBy: h.requestedBy ?? '',
    ...(h.approvedBy ? { approvedBy: h.approvedBy } : {}),
    ...(h.rejectedBy ? { rejectedBy: h.rejectedBy } : {}),
    ...(h.note ? { note: h.note } : {}),
    ...(h.outcome
      ? { outcome: { value: h.outcome as RecommendationOutcome, by: h.outcomeBy ?? '', at: Number(h.outcomeAt) } }
      : {}),
  };
}
