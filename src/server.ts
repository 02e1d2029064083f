/** Listen and shut down gracefully: stop accepting, finish in-flight requests, flush and release resources. */
import type { FastifyInstance } from 'fastify';
import { buildApp } from './api/app.js';
import type { Composition } from './composition.js';
import type { Config } from './config.js';

export async function startApi(config: Config, composition?: Composition): Promise<FastifyInstance> {
  const app = await buildApp({ config, composition });
  await app.listen({ host: config.api.host, port: config.api.port });
  return app;
}
