/**
 * The product's four BullMQ queues on one producer connection, with the default job options every job gets:
 * retries with exponential backoff, failed jobs kept for inspection, completed jobs kept only up to a bound.
 */
import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { producerConnection } from './connection.js';
import { QUEUE_NAMES, type QueueName } from './names.js';

/** Defaults per queue; a caller's options are spread over them. */
export const DEFAULT_JOB_OPTIONS: Readonly<Record<QueueName, JobsOptions>> = Object.freeze({
  // Actions: 5 attempts, 2 s, 4 s, 8 s, 16 s apart. Completed jobs: the last 1,000 or a week, whichever is
  // fewer; the durable record is the QuestDB audit. Failed jobs stay until an operator clears them.
  remediation: {
    attempts: 5,
    backoff: { type: 'exponential', delay: 2_000 },
    removeOnComplete: { count: 1_000, age: 7 * 86_400 },
    removeOnFail: false,
  },
  rebalancing: {
    attempts: 5,
    backoff: { type: 'exponential', delay: 2_000 },
    removeOnComplete: { count: 1_000, age: 7 * 86_400 },
    removeOnFail: false,
  },
  forecast: {
    attempts: 3,
    backoff: { type: 'exponential', delay: 5_000 },
    removeOnComplete: { count: 500, age: 2 * 86_400 },
    removeOnFail: { count: 1_000 },
  },
  retrain: {
    attempts: 2,
    backoff: { type: 'exponential', delay: 60_000 },
    removeOnComplete: { count: 100 },
    removeOnFail: { count: 100 },
  },
});

export interface FleetQueuesOptions {
  /** Redis key prefix; defaults to `config.redis.prefix`. Tests pass a unique one. */
  readonly prefix?: string;
  /** Reuse a connection (it is not closed by `close()`). */
  readonly connection?: Redis;
}

export class FleetQueues {
  readonly prefix: string;
  readonly remediation: Queue;
  readonly rebalancing: Queue;
  readonly forecast: Queue;
  readonly retrain: Queue;
  /** Plain commands on the same Redis (recommendation store, locks, markers). */
  readonly redis: Redis;
  private readonly ownsConnection: boolean;

  constructor(
    readonly config: Config,
    opts: FleetQueuesOptions = {},
  ) {
    this.prefix = opts.prefix ?? config.redis.prefix;
    this.ownsConnection = !opts.connection;
    this.redis = opts.connection ?? producerConnection(config.redis);
    const make = (name: QueueName) =>
      new Queue(name, {
        connection: this.redis,
        prefix: this.prefix,
        defaultJobOptions: DEFAULT_JOB_OPTIONS[name],
      });
    this.remediation = make('remediation');
    this.rebalancing = make('rebalancing');
    this.forecast = make('forecast');
    this.retrain = make('retrain');
  }

  get(name: QueueName): Queue {
    return this[name];
  }

  all(): Queue[] {
    return QUEUE_NAMES.map((n) => this[n]);
  }

  /** A key in this deployment's namespace for the product's own Redis data. */
  key(...parts: string[]): string {
    return [this.prefix, 'fs', ...parts].join(':');
  }

  async close(): Promise<void> {
    await Promise.all(this.all().map((q) => q.close()));
    if (this.ownsConnection) await this.redis.quit().catch(() => {});
  }

  /** Remove every queue and key under this prefix (tests). */
  async obliterate(): Promise<void> {
    await Promise.all(this.all().map((q) => q.obliterate({ force: true })));
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await this.redis.del(...keys);
    } while (cursor !== '0');
  }
}
