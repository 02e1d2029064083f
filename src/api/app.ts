/**
 * The API's composition root. Builds in a fixed order: config → resources (QuestDB, Redis) → cross-cutting
 * plugins (errors, metrics, docs, auth, rate limits) → routes. Tests boot it and call `app.inject`;
 * src/server.ts listens and shuts down.
 */
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import authPlugin from './plugins/auth.js';
import { installErrorHandler } from './plugins/error-handler.js';
import inferencePlugin from './plugins/inference.js';
import metricsPlugin from './plugins/metrics.js';
import queuesPlugin from './plugins/queues.js';
import resourcesPlugin, { type AppDeps } from './plugins/resources.js';
import { installValidators } from './plugins/validation.js';
import actionRoutes from './routes/actions.js';
import healthRoutes from './routes/health.js';
import labelRoutes from './routes/labels.js';
import modelRoutes from './routes/models.js';
import outcomeRoutes from './routes/outcomes.js';
import predictRoutes from './routes/predict.js';
import recommendationRoutes from './routes/recommendations.js';
import retrainRoutes from './routes/retrain.js';
import scoreRoutes from './routes/score.js';
import telemetryRoutes from './routes/telemetry.js';

export interface BuildAppOptions {
  readonly config: Config;
  /** Inject already-open resources (tests, or a process that shares them with workers). */
  readonly deps?: Partial<AppDeps>;
  /** Pino logger options or false; defaults to the configured level. */
  readonly logger?: boolean | Record<string, unknown>;
}

export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const { config } = opts;
  const app = Fastify({
    logger: opts.logger ?? { level: config.logLevel },
    bodyLimit: config.api.bodyLimitBytes,
    requestTimeout: 60_000,
  });
  installErrorHandler(app);
  installValidators(app);

  await app.register(resourcesPlugin, { config, deps: opts.deps });
  await app.register(metricsPlugin);
  await app.register(inferencePlugin);
  await app.register(swagger, {
    openapi: {
      info: { title: 'fleetsense API', version: '0.1.0', description: 'Predictive maintenance for GPU data centers' },
      components: {
        securitySchemes: { apiKey: { type: 'apiKey', name: 'x-api-key', in: 'header' } },
      },
      security: [{ apiKey: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(authPlugin);
  await app.register(rateLimit, {
    max: config.api.rateLimitPerMinute,
    timeWindow: '1 minute',
    keyGenerator: (request) => request.principal?.name ?? request.ip,
    errorResponseBuilder: (_request, ctx) => ({
      statusCode: 429,
      error: { code: 'RATE_LIMITED', message: `rate limit of ${ctx.max} requests per ${ctx.after} exceeded` },
    }),
  });

  await app.register(queuesPlugin);
  await app.register(healthRoutes);
  await app.register(telemetryRoutes);
  await app.register(scoreRoutes);
  await app.register(predictRoutes);
  await app.register(modelRoutes);
  await app.register(recommendationRoutes);
  await app.register(actionRoutes);
  await app.register(retrainRoutes);
  await app.register(labelRoutes);
  await app.register(outcomeRoutes);
  return app;
}
