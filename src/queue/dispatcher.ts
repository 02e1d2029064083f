/**
 * From a policy decision to queued jobs. Every action the policy returns is stored under its stable id (a repeated
 * detection of the same fault finds the id taken and adds nothing); actions that need no approval are enqueued at
 * once, the others wait for `approve`. The jobId is the action id, so enqueueing twice adds one job.
 */
import { AppError } from '../errors.js';
import type { PolicyResult, RecommendedAction, Severity, Withdrawal } from '../recommend/types.js';
import { actionJobId, queueForAction } from './names.js';
import type { FleetQueues } from './queues.js';
import type { RecommendationStore, StoredRecommendation } from './recommendation-store.js';

export interface DispatchSummary {
  /** New recommendations stored, by outcome. */
  readonly proposed: number;
  readonly suppressed: number;
  readonly queued: number;
  readonly awaitingApproval: number;
  /** Actions whose id existed already (repeated detections): nothing was added. */
  readonly duplicates: number;
  /**
   * Waiting proposals closed as `superseded`: a new recommendation of the same action replaced them, or the policy
   * withdrew them (no forecast supports them any more).
   */
  readonly superseded: number;
  readonly queuedIds: readonly string[];
}

const PRIORITY: Readonly<Record<Severity, number>> = { critical: 1, warning: 2, info: 3 };

export class RemediationDispatcher {
  constructor(
    private readonly queues: FleetQueues,
    readonly store: RecommendationStore,
  ) {}

  /**
   * Store and enqueue a policy decision. Recommendations are created at `result.now` (the policy's clock), so the
   * cooldowns the policy computes from their creation times and the audit's timestamps agree with its inputs.
   */
  async submit(
    result: Pick<PolicyResult, 'actions'> & Partial<Pick<PolicyResult, 'withdrawn' | 'now'>>,
    requestedBy = 'policy',
  ): Promise<DispatchSummary> {
    const now = result.now ?? Date.now();
    const { actions, superseded: replaced } = await this.retireSuperseded(result.actions, requestedBy, now);
    const superseded = replaced + (await this.withdraw(result.withdrawn ?? [], requestedBy, now));
    let proposed = 0;
    let suppressed = 0;
    let awaitingApproval = 0;
    let duplicates = 0;
    const queuedIds: string[] = [];
    // New actions that need no approval are created as queued, all in one round trip, then added in one more.
    const direct = (a: RecommendedAction) => a.status !== 'suppressed' && !a.requiresApproval;
    const created = await this.store.createMany(actions, requestedBy, now, direct);
    const toAdd: RecommendedAction[] = [];
    for (const [i, action] of actions.entries()) {
      if (!created[i]) {
        // The id exists: a repeated detection, unless the policy proposes again what it had suppressed or
        // superseded, or what was closed and whose cooldown is over (the fault came back: a new occurrence).
        const existing = await this.store.get(action.id);
        if (action.status !== 'proposed' || !existing) {
          duplicates++;
          continue;
        }
        if (existing.status === 'suppressed' || existing.status === 'superseded')
          await this.store.repropose(action, requestedBy, now);
        else if (!(await this.store.reopen(action, requestedBy, now))) {
          duplicates++;
          continue;
        }
        proposed++;
        if (action.requiresApproval) {
          awaitingApproval++;
          continue;
        }
        await this.enqueue(action.id, requestedBy, action);
        queuedIds.push(action.id);
        continue;
      }
      if (action.status === 'suppressed') {
        suppressed++;
        continue;
      }
      proposed++;
      if (action.requiresApproval) {
        awaitingApproval++;
        continue;
      }
      toAdd.push(action);
      queuedIds.push(action.id);
    }
    await this.addJobs(toAdd, requestedBy);
    return { proposed, suppressed, queued: queuedIds.length, awaitingApproval, duplicates, superseded, queuedIds };
  }

  /**
   * Close the waiting proposals the new ones supersede (recommend/rails/dedup.ts) before storing the new ones; a
   * crash in between leaves no open proposal, so the next decision proposes the new one again. A proposal an
   * operator approved or rejected meanwhile stands: its successor is stored as a suppressed duplicate instead.
   */
  private async retireSuperseded(
    actions: readonly RecommendedAction[],
    actor: string,
    now: number,
  ): Promise<{ actions: RecommendedAction[]; superseded: number }> {
    let superseded = 0;
    const out: RecommendedAction[] = [];
    for (const a of actions) {
      if (a.status !== 'proposed' || a.supersedes === undefined) {
        out.push(a);
        continue;
      }
      const closed = await this.closeWaiting(a.supersedes, `superseded by ${a.id}`, actor, now);
      if (closed === 'closed') superseded++;
      if (closed !== 'decided') out.push(a);
      else {
        const { supersedes: _, ...rest } = a;
        out.push({ ...rest, status: 'suppressed', suppressedBy: 'dedup' });
      }
    }
    return { actions: out, superseded };
  }

  /** Close withdrawn proposals (recommend/rules/power.ts); one decided meanwhile stands. Returns how many closed. */
  private async withdraw(list: readonly Withdrawal[], actor: string, now: number): Promise<number> {
    let closed = 0;
    for (const w of list)
      if ((await this.closeWaiting(w.id, `withdrawn: ${w.reason}`, actor, now)) === 'closed') closed++;
    return closed;
  }

  /**
   * A waiting (proposed) recommendation → `superseded`, with `note`. `gone`: no such record (expired); `decided`: an
   * operator approved or rejected it first, and it stands.
   */
  private async closeWaiting(id: string, note: string, actor: string, now: number) {
    try {
      await this.store.transition(id, ['proposed'], 'superseded', actor, { note }, now);
      return 'closed' as const;
    } catch (err) {
      const code = err instanceof AppError ? err.code : undefined;
      if (code === 'NOT_FOUND') return 'gone' as const;
      if (code === 'CONFLICT') return 'decided' as const;
      throw err;
    }
  }

  /** Add the jobs of new records created as queued (first occurrence); if the queue refuses, back to proposed. */
  private async addJobs(actions: readonly RecommendedAction[], actor: string): Promise<void> {
    if (actions.length === 0) return;
    try {
      const byQueue = new Map<ReturnType<typeof queueForAction>, RecommendedAction[]>();
      for (const a of actions) byQueue.set(queueForAction(a.type), [...(byQueue.get(queueForAction(a.type)) ?? []), a]);
      for (const [q, list] of byQueue) await this.queues.get(q).addBulk(list.map((a) => this.jobOf(a, 1)));
    } catch (err) {
      for (const a of actions)
        await this.store.transition(a.id, ['queued'], 'proposed', actor, { note: 'enqueue failed' }).catch(() => {});
      throw new AppError('QUEUE_UNAVAILABLE', `could not enqueue ${actions.map((a) => a.id).join(', ')}`, undefined, {
        cause: err,
      });
    }
  }

  /** Queue a proposed (no approval needed) or approved recommendation. `action`: skip reading it back. */
  async enqueue(id: string, actor: string, action?: RecommendedAction): Promise<StoredRecommendation> {
    const gated = (action ?? (await this.store.require(id)).action).requiresApproval;
    let rec: StoredRecommendation;
    try {
      rec = await this.store.transition(id, gated ? ['approved'] : ['proposed', 'approved'], 'queued', actor);
    } catch (err) {
      if (gated && err instanceof AppError && err.code === 'CONFLICT') {
        throw new AppError('CONFLICT', `recommendation ${id} needs an operator's approval first`, err.details);
      }
      throw err;
    }
    try {
      await this.addJob(rec.action, rec.occurrence);
    } catch (err) {
      const back = gated ? 'approved' : 'proposed';
      await this.store.transition(id, ['queued'], back, actor, { note: 'enqueue failed' }).catch(() => {});
      throw new AppError('QUEUE_UNAVAILABLE', `could not enqueue ${id}`, undefined, { cause: err });
    }
    return rec;
  }

  async approve(id: string, principal: string): Promise<StoredRecommendation> {
    await this.store.transition(id, ['proposed'], 'approved', principal, { approvedBy: principal });
    return this.enqueue(id, principal);
  }

  async reject(id: string, principal: string, note = ''): Promise<StoredRecommendation> {
    return this.store.transition(id, ['proposed', 'approved'], 'rejected', principal, { rejectedBy: principal, note });
  }

  private jobOf(action: RecommendedAction, occurrence: number) {
    const delay = action.notBefore ? Math.max(0, action.notBefore - Date.now()) : 0;
    return {
      name: action.type,
      data: { actionId: action.id, occurrence },
      opts: { jobId: actionJobId(action.id, occurrence), delay, priority: PRIORITY[action.severity] ?? 3 },
    };
  }

  private async addJob(action: RecommendedAction, occurrence: number): Promise<void> {
    const job = this.jobOf(action, occurrence);
    await this.queues.get(queueForAction(action.type)).add(job.name, job.data, job.opts);
  }
}
