/**
 * The API's composition root. Builds in a fixed order: config → resources (QuestDB, Redis) → cross-cutting
 * plugins (errors, docs, metrics, rate limits, auth) → routes. The per-address rate limit runs before
 * authentication, so it is registered before the auth plugin. Tests boot it and call `app.inject`;
 * src/server.ts listens and shuts down.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { type Composition, openComposition } from '../composition.js';
import type { Config } from '../config.js';
import authPlugin from './plugins/auth.js';
import { frameworkErrors, installErrorHandler, MAX_PARAM_LENGTH } from './plugins/error-handler.js';
import inferencePlugin from './plugins/inference.js';
import metricsPlugin from './plugins/metrics.js';
import openapiPlugin from './plugins/openapi.js';
import queuesPlugin from './plugins/queues.js';
import rateLimitsPlugin from './plugins/rate-limits.js';
import resourcesPlugin from './plugins/resources.js';
import { installValidators } from './plugins/validation.js';
import actionRoutes from './routes/actions.js';
import consoleRoutes from './routes/console.js';
import gpuSeriesRoutes from './routes/gpu-series.js';
import healthRoutes from './routes/health.js';
import healthGpuRoutes from './routes/health-gpus.js';
import labelRoutes from './routes/labels.js';
import modelRoutes from './routes/models.js';
import outcomeRoutes from './routes/outcomes.js';
import predictRoutes from './routes/predict.js';
import recommendationRoutes from './routes/recommendations.js';
import retrainRoutes from './routes/retrain.js';
import safetyScopeRoutes from './routes/safety-scopes.js';
import scoreRoutes from './routes/score.js';
import scorecardRoutes from './routes/scorecard.js';
import telemetryRoutes from './routes/telemetry.js';
import whoamiRoutes from './routes/whoami.js';

export interface BuildAppOptions {
  readonly config: Config;
  /**
   * The process's composition (src/composition.ts), shared with the worker and scheduler roles in `all`. Absent:
   * the app opens its own and closes it with the app (tests, an API-only process).
   */
  readonly composition?: Composition;
  /** Pino logger options or false; defaults to the configured level. */
  readonly logger?: boolean | Record<string, unknown>;
}

export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const { config } = opts;
  const app = Fastify({
    logger: opts.logger ?? { level: config.logLevel },
    bodyLimit: config.api.bodyLimitBytes,
    requestTimeout: 60_000,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
  });
  installErrorHandler(app);
  installValidators(app);

  const composition = opts.composition ?? (await openComposition(config, app.log));
  // Registered before every plugin: Fastify (avvio) runs onClose hooks last-registered first, so this runs last.
  if (!opts.composition) app.addHook('onClose', () => composition.close());
  await app.register(resourcesPlugin, { composition });
  await app.register(openapiPlugin);
  await app.register(metricsPlugin);
  await app.register(inferencePlugin);
  await app.register(rateLimitsPlugin);
  await app.register(authPlugin);

  await app.register(queuesPlugin);
  await app.register(healthRoutes);
  await app.register(telemetryRoutes);
  await app.register(scoreRoutes);
  await app.register(predictRoutes);
  await app.register(modelRoutes);
  await app.register(recommendationRoutes);
  await app.register(actionRoutes);
  await app.register(retrainRoutes);
  await app.register(safetyScopeRoutes);
  await app.register(scorecardRoutes);
  await app.register(healthGpuRoutes);
  await app.register(labelRoutes);
  await app.register(outcomeRoutes);
  await app.register(gpuSeriesRoutes);
  await app.register(whoamiRoutes);
  await app.register(consoleRoutes);
  return app;
}
