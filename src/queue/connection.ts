/**
 * Redis connections for BullMQ. Two kinds, because they fail differently:
 * - producers (queues, the API): a command timeout and few retries, so a request fails fast when Redis is away;
 * - workers: `maxRetriesPerRequest: null` (BullMQ's blocking commands must wait, and a command timeout would cut
 *   them), only a connect timeout.
 */
import { Redis } from 'ioredis';
import type { Config } from '../config.js';

export function producerConnection(cfg: Config['redis']): Redis {
  const redis = new Redis(cfg.url, {
    connectTimeout: cfg.timeoutMs,
    commandTimeout: cfg.timeoutMs,
    maxRetriesPerRequest: 2,
  });
  // While Redis is away ioredis reconnects on its own and emits an error per try; the commands that fail meanwhile
  // carry their own errors (503 QUEUE_UNAVAILABLE in the API) and /readyz reports Redis down. Without a listener
  // ioredis prints each try to stderr as an "Unhandled error event".
  redis.on('error', () => {});
  return redis;
}

export function workerConnection(cfg: Config['redis']): Redis {
  const redis = new Redis(cfg.url, {
    connectTimeout: cfg.timeoutMs,
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
  });
  redis.on('error', () => {}); // as for producers: reconnects are ioredis's job; BullMQ's workers report failures
  return redis;
}
