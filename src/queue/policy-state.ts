/**
 * The policy's view of the queue: recent recommendations as `ActionRecord`s (open ones and history, for dedup,
 * cooldowns, blast radius and the circuit breaker) and the persisted safety state (the breaker, in Redis; opt-outs
 * and maintenance windows, in QuestDB: policy-scopes.ts).
 */
import type { Redis } from 'ioredis';
import type { ActionRecord, ActionRecordStatus, SafetyState } from '../recommend/types.js';
import type { PolicyScopes } from './policy-scopes.js';
import type { RecommendationStatus, RecommendationStore } from './recommendation-store.js';

const AS_RECORD: Readonly<Record<RecommendationStatus, ActionRecordStatus | undefined>> = {
  proposed: 'proposed',
  approved: 'approved',
  queued: 'queued',
  executed: 'succeeded',
  failed: 'failed',
  rejected: 'rejected',
  // A suppressed or superseded recommendation never happened: it counts for nothing.
  suppressed: undefined,
  superseded: undefined,
};
const OPEN: ReadonlySet<ActionRecordStatus> = new Set(['proposed', 'approved', 'queued', 'running']);

export async function actionRecords(
  store: RecommendationStore,
  since: number,
): Promise<{ openActions: ActionRecord[]; history: ActionRecord[] }> {
  const recent = await store.list({ since, limit: 5_000 });
  const history: ActionRecord[] = [];
  for (const r of recent) {
    const status = AS_RECORD[r.status];
    if (!status) continue;
    history.push({
      id: r.id,
      type: r.action.type,
      target: r.action.target,
      createdAt: r.createdAt,
      status,
      params: r.action.params,
    });
  }
  return { openActions: history.filter((a) => OPEN.has(a.status)), history };
}

export class SafetySwitches {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    /** Operators' opt-outs and maintenance windows (QuestDB); absent: none apply (benchmarks, unit tests). */
    readonly scopes?: PolicyScopes,
  ) {}

  private get key(): string {
    return `${this.keyPrefix}:safety:breaker`;
  }

  /** The policy's safety inputs at `now`: the breaker, and the opt-outs and maintenance windows in force. */
  async state(dryRun: boolean, now = Date.now()): Promise<SafetyState> {
    const [raw, scopes] = await Promise.all([
      this.redis.hgetall(this.key),
      this.scopes?.forPolicy(now) ?? { optOut: [], maintenanceWindows: [] },
    ]);
    return {
      ...scopes,
      circuitBreakerTripped: raw.tripped === '1',
      ...(raw.resetAt ? { circuitBreakerResetAt: Number(raw.resetAt) } : {}),
      dryRun,
    };
  }

  /** The breaker as stored: tripped or not, and when it last tripped and was reset (epoch ms). */
  async breaker(): Promise<{ tripped: boolean; trippedAt?: number; resetAt?: number }> {
    const raw = await this.redis.hgetall(this.key);
    return {
      tripped: raw.tripped === '1',
      ...(raw.trippedAt ? { trippedAt: Number(raw.trippedAt) } : {}),
      ...(raw.resetAt ? { resetAt: Number(raw.resetAt) } : {}),
    };
  }

  async trip(at: number): Promise<void> {
    await this.redis.hset(this.key, 'tripped', '1', 'trippedAt', String(at));
  }

  /** An operator's reset: actions before `at` no longer count towards a new trip. */
  async reset(at: number): Promise<void> {
    await this.redis.hset(this.key, 'tripped', '0', 'resetAt', String(at));
  }
}
