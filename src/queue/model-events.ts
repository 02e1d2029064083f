/**
 * Model promotions across processes: the retrain worker persists ACTIVE and publishes the promotion on Redis;
 * every API and worker process subscribed here swaps its own InferenceService to that version (load and warm
 * first, then switch), so all of them serve the same version without a restart.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { workerConnection } from './connection.js';

export interface Promotion {
  readonly model: string;
  readonly version: string;
}

export const promotionsChannel = (prefix: string): string => `${prefix}:fs:models:promoted`;

export async function publishPromotion(redis: Redis, prefix: string, p: Promotion): Promise<void> {
  await redis.publish(promotionsChannel(prefix), JSON.stringify(p));
}

/** Call `onPromote` for every promotion published under `prefix`; returns the unsubscribe/close function. */
export async function subscribePromotions(
  config: Config['redis'],
  prefix: string,
  log: Pick<Logger, 'info' | 'error'>,
  onPromote: (p: Promotion) => Promise<unknown>,
): Promise<() => Promise<void>> {
  // A subscribed connection can do nothing else, and must not time out while it waits.
  const sub = workerConnection(config);
  await sub.subscribe(promotionsChannel(prefix));
  sub.on('message', (_channel, raw: string) => {
    let p: Promotion;
    try {
      p = JSON.parse(raw) as Promotion;
    } catch {
      return;
    }
    onPromote(p).then(
      () => log.info(p, 'model promoted by another process; now serving it'),
      (err) => log.error({ ...p, err: err instanceof Error ? err.message : err }, 'could not follow a promotion'),
    );
  });
  return async () => {
    await sub.quit().catch(() => {});
  };
}
