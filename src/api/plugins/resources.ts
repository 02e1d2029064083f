/**
 * The API's view of the process composition (src/composition.ts): it decorates `app.config`, `app.reader`,
 * `app.writer`, `app.redis` and `app.composition` from it, and holds `app.readiness`, where any plugin registers a
 * readiness check. The composition belongs to whoever opened it; buildApp opens one when none is given and closes
 * it with the app.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import type { Composition } from '../../composition.js';
import type { Config } from '../../config.js';
import { redisPersistence } from '../../queue/redis-persistence.js';
import type { TelemetryReader } from '../../telemetry/reader.js';
import type { TelemetryWriter } from '../../telemetry/writer.js';

export interface ReadinessCheck {
  readonly name: string;
  /** Resolve with details on success; throw (or reject) when not ready. Each check has its own timeout. */
  check(): Promise<Record<string, unknown> | undefined>;
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    composition: Composition;
    writer: TelemetryWriter;
    reader: TelemetryReader;
    redis: Redis;
    readiness: ReadinessCheck[];
  }
}

async function resourcesPlugin(app: FastifyInstance, opts: { composition: Composition }) {
  const { composition } = opts;
  const { config, reader, writer } = composition;
  const redis = composition.queues.redis;
  app.decorate('config', config);
  app.decorate('composition', composition);
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
}

export default fp(resourcesPlugin, { name: 'resources' });
