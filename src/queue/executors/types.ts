/**
 * The executor interface: one action in, what happened out. Executors throw to fail an attempt: a plain Error is
 * transient (the job retries with backoff), BullMQ's `UnrecoverableError` is final (bad input, unsupported action).
 */
import type { Logger } from 'pino';
import type { RecommendedAction } from '../../recommend/types.js';

export type ExecutableAction = Pick<
  RecommendedAction,
  'id' | 'type' | 'target' | 'params' | 'reason' | 'severity' | 'dryRun'
>;

export interface ExecutionContext {
  /** Describe, log and audit only; change nothing. */
  readonly dryRun: boolean;
  /** 1-based attempt number of this execution: new on every start, including a retry after a killed worker. */
  readonly attempt: number;
  /**
   * The receiver's deduplication key: the same on every attempt of one execution (one occurrence of an action), so
   * a side effect delivered twice (a worker killed after acting, before recording it) can be applied once.
   */
  readonly idempotencyKey: string;
  readonly log: Logger;
}

export interface ExecutionOutcome {
  /** `succeeded`: the change was made; `dry-run`: it was only described. */
  readonly result: 'succeeded' | 'dry-run';
  /** What was (or would have been) done, e.g. the exact commands. */
  readonly detail: string;
}

export interface ActionExecutor {
  readonly name: string;
  execute(action: ExecutableAction, ctx: ExecutionContext): Promise<ExecutionOutcome>;
}
