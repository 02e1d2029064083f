/**
 * Queue names and the job data each queue carries. Names are fixed; isolation between deployments (and tests)
 * comes from the Redis key prefix (`config.redis.prefix`, BullMQ's `prefix` option), so the dashboard always shows
 * the same four queues.
 */
import type { ActionType } from '../recommend/types.js';

export const QUEUE_NAMES = ['remediation', 'rebalancing', 'forecast', 'retrain'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** Actions that move work between GPUs or change its power go to `rebalancing`; the rest to `remediation`. */
const REBALANCING: ReadonlySet<ActionType> = new Set<ActionType>(['rebalance_job', 'migrate_job', 'power_cap_gpu']);

export function queueForAction(type: ActionType): 'remediation' | 'rebalancing' {
  return REBALANCING.has(type) ? 'rebalancing' : 'remediation';
}

/** One remediation or rebalancing job; the action itself lives in the store. */
export interface ActionJobData {
  readonly actionId: string;
  /** Which occurrence of the action this job executes. @defaultValue 1 */
  readonly occurrence?: number;
}

/** The jobId: the action id, plus the occurrence from the second one on (a closed job may still be retained). */
export const actionJobId = (actionId: string, occurrence = 1): string =>
  occurrence > 1 ? `${actionId}-${occurrence}` : actionId;

/** One shard of a forecast run: the devices of one cluster scored at `slot`. */
export interface ForecastShardData {
  readonly slot: number;
  readonly cluster: string;
}

export type RetrainTrigger = 'api' | 'schedule' | 'drift';

export interface RetrainJobData {
  readonly model: string;
  readonly trigger: RetrainTrigger;
  readonly requestedBy: string;
  /** Training range, epoch ms; the worker picks recent data when absent. */
  readonly from?: number;
  readonly to?: number;
  readonly drift?: { readonly psi: number; readonly bound: number };
}
