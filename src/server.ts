/** Listen and shut down gracefully: stop accepting, finish in-flight requests, flush and release resources. */
import type { FastifyInstance } from 'fastify';
import { buildApp } from './api/app.js';
import type { Config } from './config.js';

export async function startApi(config: Config): Promise<FastifyInstance> {
  const app = await buildApp({ config });
  await app.listen({ host: config.api.host, port: config.api.port });
  return app;
}
