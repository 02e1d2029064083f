/**
 * The remediation/rebalancing job processor: load the action from the store, wait for its dependencies, execute it
 * at least once — deduplicated by the receiver's idempotency key, and never again once an attempt is known to have
 * succeeded (see action-audit.ts) — audit every attempt as started before and finished after its side effect, and
 * move the recommendation to executed or failed. Bad input (unknown action, invalid job data, unsupported action for the
 * executor, failed dependency) is an UnrecoverableError: it goes to failed without retry. Anything else retries.
 */
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import { type ActionAudit, type CompletionMarker, workerIdentity } from './action-audit.js';
import type { ActionExecutor } from './executors/types.js';
import { type ActionJobData, actionJobId } from './names.js';
import type { RecommendationStatus, RecommendationStore, StoredRecommendation } from './recommendation-store.js';

export interface ActionJobResult {
  readonly result: 'succeeded' | 'dry-run' | 'skipped';
  readonly detail: string;
  /** The execution attempt that produced the result (0 when skipped: nothing was attempted). */
  readonly attempt: number;
  /** True when an earlier attempt had already executed the action (a retry after a crash). */
  readonly replayed: boolean;
}

export interface ActionProcessorDeps {
  readonly store: RecommendationStore;
  readonly audit: ActionAudit;
  readonly executor: ActionExecutor;
  /** Global dry-run switch (REMEDIATION_DRY_RUN); an action's own `dryRun` also forces it. */
  readonly dryRun: boolean;
  readonly log: Logger;
  readonly worker?: string;
  /** How long to wait before checking unfinished dependencies again. @defaultValue 30000 */
  readonly dependencyRetryMs?: number;
  /** How long an action may wait for its dependencies before it fails. @defaultValue 24 h */
  readonly maxDependencyWaitMs?: number;
}

const RUNNABLE: readonly RecommendationStatus[] = ['proposed', 'approved', 'queued'];
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function actionProcessor(deps: ActionProcessorDeps) {
  const worker = deps.worker ?? workerIdentity();
  const dependencyRetryMs = deps.dependencyRetryMs ?? 30_000;
  const maxDependencyWaitMs = deps.maxDependencyWaitMs ?? 24 * 3_600_000;

  async function finish(rec: StoredRecommendation, status: 'executed' | 'failed', note: string): Promise<void> {
    try {
      await deps.store.transition(rec.id, RUNNABLE, status, worker, { note });
    } catch (err) {
      // Already moved by an earlier attempt of this same job: nothing to do.
      if (!(err instanceof AppError && err.code === 'CONFLICT')) throw err;
    }
  }

  /** The row fields every phase of one attempt shares (the dedup key among them). */
  function attemptRow(rec: StoredRecommendation, executionId: string, dryRun: boolean) {
    return {
      action: rec.action,
      createdAt: rec.createdAt,
      requestedBy: rec.requestedBy,
      approvedBy: rec.approvedBy,
      dryRun,
      idempotencyKey: executionId,
    };
  }

  async function auditMarker(rec: StoredRecommendation, m: CompletionMarker, executionId: string, dryRun: boolean) {
    await deps.audit.record({
      ...attemptRow(rec, executionId, dryRun),
      result: m.result,
      executor: m.executor,
      started: m.started,
      finished: m.finished,
      attempt: m.attempt,
      worker: m.worker,
      detail: m.detail,
    });
  }

  return async function processAction(job: Job<ActionJobData>, token?: string): Promise<ActionJobResult> {
    const id = job.data?.actionId;
    if (typeof id !== 'string' || !/^[\w.-]{1,128}$/.test(id))
      throw new UnrecoverableError('job data has no valid actionId');
    const occurrence = job.data.occurrence ?? 1;
    // The idempotency identity, sent to the receiver on every attempt: this occurrence of this action.
    const executionId = actionJobId(id, occurrence);
    // One round trip: the record, the completion marker, and the attempt number when this attempt will run.
    const start = await deps.audit.startAttempt(executionId, deps.store.key(id), occurrence);
    const rec = deps.store.fromHash(id, start.record);
    if (!rec) throw new UnrecoverableError(`no recommendation ${id} in the store`);
    const dryRun = deps.dryRun || rec.action.dryRun;
    if (rec.occurrence !== occurrence) {
      return {
        result: 'skipped',
        detail: `occurrence ${occurrence} was superseded by ${rec.occurrence}`,
        attempt: 0,
        replayed: false,
      };
    }

    const done = start.marker;
    if (done) {
      // An earlier attempt executed it and died before completing the job: record once, execute never again.
      await auditMarker(rec, done, executionId, dryRun);
      await finish(rec, 'executed', done.detail);
      return { result: done.result, detail: done.detail, attempt: done.attempt, replayed: true };
    }
    if (!RUNNABLE.includes(rec.status)) {
      return { result: 'skipped', detail: `recommendation is ${rec.status}`, attempt: 0, replayed: false };
    }
    for (const dep of rec.action.dependsOn ?? []) {
      const d = await deps.store.get(dep);
      if (!d || d.status === 'executed') continue;
      if (d.status === 'failed' || d.status === 'rejected') {
        await finish(rec, 'failed', `dependency ${dep} is ${d.status}`);
        throw new UnrecoverableError(`dependency ${dep} is ${d.status}`);
      }
      // A dependency that never runs (suppressed, never approved) must not keep this job cycling forever.
      if (Date.now() - job.timestamp > maxDependencyWaitMs) {
        await finish(rec, 'failed', `dependency ${dep} still ${d.status} after ${maxDependencyWaitMs / 3_600_000} h`);
        throw new UnrecoverableError(`dependency ${dep} did not run in time (${d.status})`);
      }
      await job.moveToDelayed(Date.now() + dependencyRetryMs, token);
      throw new DelayedError(`waiting for dependency ${dep} (${d.status})`);
    }

    // A new number for every start, whoever starts it (a retry, or a stalled job recovered after a worker died).
    // Taken by the start script unless the action had dependencies to wait for.
    const attempt = start.attempt || (await deps.audit.beginAttempt(executionId));
    const started = Date.now();
    const row = { ...attemptRow(rec, executionId, dryRun), executor: deps.executor.name, started, attempt, worker };
    // Durable BEFORE the side effect: if the process dies during it, this row stays "started, outcome unknown".
    // If it cannot be written, nothing runs and the job retries. (No job progress updates: an action takes
    // milliseconds, nothing reads them, and each cost a BullMQ script and an event per job.)
    await deps.audit.record({ ...row, result: 'started' });
    let outcome: { result: 'succeeded' | 'dry-run'; detail: string };
    try {
      outcome = await deps.executor.execute(rec.action, {
        dryRun,
        attempt,
        idempotencyKey: executionId,
        log: deps.log,
      });
    } catch (err) {
      // Whether BullMQ will retry: its own count, which stalled-job recovery does not advance.
      const final = err instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      await deps.audit.record({
        ...row,
        result: final ? 'failed' : 'error',
        finished: Date.now(),
        error: message(err).slice(0, 1_000),
      });
      if (final) await finish(rec, 'failed', message(err).slice(0, 500));
      throw err;
    }
    const marker: CompletionMarker = {
      ...outcome,
      executor: deps.executor.name,
      started,
      finished: Date.now(),
      attempt,
      worker,
    };
    // The marker stops any later attempt from executing again. If another attempt's marker stands already (this
    // worker was presumed dead, its job recovered and run elsewhere), this attempt still records its own outcome.
    await deps.audit.markCompleted(executionId, marker);
    // The outcome row and the move to executed at once (the transition's round trip no longer waits behind the
    // durable write): with the marker standing, a retry after either failed records the same outcome again and
    // never executes twice. The job completes only when both are done.
    await Promise.all([
      auditMarker(rec, marker, executionId, dryRun),
      finish(rec, 'executed', marker.detail.slice(0, 500)),
    ]);
    return { result: marker.result, detail: marker.detail, attempt, replayed: false };
  };
}
