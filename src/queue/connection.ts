/**
 * Redis connections for BullMQ. Two kinds, because they fail differently:
 * - producers (queues, the API): a command timeout and few retries, so a request fails fast when Redis is away;
 * - workers: `maxRetriesPerRequest: null` (BullMQ's blocking commands must wait, and a command timeout would cut
 *   them), only a connect timeout.
 */
import { Redis } from 'ioredis';
import type { Config } from '../config.js';

export function producerConnection(cfg: Config['redis']): Redis {
  return new Redis(cfg.url, {
    connectTimeout: cfg.timeoutMs,
    commandTimeout: cfg.timeoutMs,
    maxRetriesPerRequest: 2,
  });
}

export function workerConnection(cfg: Config['redis']): Redis {
  return new Redis(cfg.url, {
    connectTimeout: cfg.timeoutMs,
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
  });
}
