/**
 * External resources the API holds: QuestDB writer and reader, Redis. Created from configuration unless the
 * caller injects them (tests, the composition root sharing them with workers); released on close only when
 * created here. Readiness checks from any plugin register on `app.readiness`.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';
import type { Config } from '../../config.js';
import { redisPersistence } from '../../queue/redis-persistence.js';
import { migrate } from '../../telemetry/migrate.js';
import { TelemetryReader } from '../../telemetry/reader.js';
import { TelemetryWriter } from '../../telemetry/writer.js';

export interface AppDeps {
  writer: TelemetryWriter;
  reader: TelemetryReader;
  redis: Redis;
}

export interface ReadinessCheck {
  readonly name: string;
  /** Resolve with details on success; throw (or reject) when not ready. Each check has its own timeout. */
  check(): Promise<Record<string, unknown> | undefined>;
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    writer: TelemetryWriter;
    reader: TelemetryReader;
    redis: Redis;
    readiness: ReadinessCheck[];
  }
}

export function connectRedis(cfg: Config['redis']): Redis {
  return new Redis(cfg.url, {
    connectTimeout: cfg.timeoutMs,
    commandTimeout: cfg.timeoutMs,
    maxRetriesPerRequest: 2,
    lazyConnect: false,
  });
}

async function resourcesPlugin(app: FastifyInstance, opts: { config: Config; deps?: Partial<AppDeps> }) {
  const { config, deps = {} } = opts;
  const owned: Array<() => Promise<unknown>> = [];
  const reader = deps.reader ?? TelemetryReader.connect(config.questdb, app.log);
  if (!deps.reader) owned.push(() => reader.close());
  await reader.waitUntilAvailable(config.questdb.startupWaitMs, app.log);
  await migrate(reader);
  const writer = deps.writer ?? (await TelemetryWriter.connect(config.questdb, app.log));
  if (!deps.writer) owned.push(() => writer.close());
  const redis = deps.redis ?? connectRedis(config.redis);
  if (!deps.redis) owned.push(() => redis.quit());
  redis.on('error', (err) => app.log.warn({ err: err.message }, 'redis connection error'));

  app.decorate('config', config);
  app.decorate('reader', reader);
  app.decorate('writer', writer);
  app.decorate('redis', redis);
  app.decorate('readiness', [
    {
      name: 'questdb',
      check: async () => {
        await reader.query('SELECT 1');
        return { url: config.questdb.httpUrl };
      },
    },
    {
      name: 'redis',
      check: async () => {
        await redis.ping();
        return {
          url: config.redis.url.replace(/\/\/[^@]*@/, '//***@'),
          persistence: await redisPersistence(redis),
        };
      },
    },
  ] satisfies ReadinessCheck[]);
  // Writer first (it flushes), then the rest, in reverse order of creation.
  app.addHook('onClose', async () => {
    for (const release of owned.reverse()) await release().catch((err) => app.log.warn({ err }, 'release failed'));
  });
}

export default fp(resourcesPlugin, { name: 'resources' });
