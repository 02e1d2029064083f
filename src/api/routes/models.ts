/**
 * GET /v1/models, GET /v1/models/{name}: served models, their versions with training metrics, which is active and
 * on which execution provider. POST /v1/models/{name}/promote (admin): make a version active (hot swap: requests in
 * flight finish on the version they started with).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Calibration } from '../../features/model-metadata.js';
import type { ModelInfo } from '../../inference/inference-types.js';
import { horizonMinutes, timeToFailure } from '../../inference/model-outputs.js';
import { inputFieldsOf } from '../../inference/window-requests.js';
import { publishPromotion } from '../../queue/model-events.js';
import { ModelList, ModelName, ModelSummary, PromoteRequest, PromoteResponse } from '../schemas/models.js';

function calibrationView(c: Calibration | undefined): ModelSummary['calibration'] {
  if (!c) return null;
  return c.method === 'platt'
    ? { method: c.method, a: c.a, b: c.b, metrics: { ...c.metrics } }
    : { method: c.method, x: [...c.x], y: [...c.y], metrics: { ...c.metrics } };
}

export function modelSummary(m: ModelInfo): ModelSummary {
  const meta = m.metadata;
  return {
    name: m.name,
    family: m.family,
    activeVersion: m.activeVersion,
    executionProvider: m.executionProvider,
    features: [...meta.features],
    inputFields: inputFieldsOf(meta),
    windowLength: meta.windowLength,
    samplePeriodMs: meta.samplePeriodMs,
    inputDims: [...m.rowDims],
    outputs: [...(meta.onnx?.outputs ?? meta.outputs)],
    ...(meta.family === 'fault' && meta.horizonSteps ? { horizonMinutes: horizonMinutes(meta) } : {}),
    ...(meta.family === 'fault' ? { calibration: calibrationView(meta.calibration) } : {}),
    ...(meta.family === 'ttf' && meta.ttfCapSteps ? { ttfCapMinutes: timeToFailure(1, meta).capMinutes } : {}),
    versions: m.versions.map((v) => ({
      version: v.version,
      createdAt: v.createdAt,
      metrics: { ...v.metrics },
      threshold: v.threshold ?? null,
      active: v.active,
      loaded: v.loaded,
      executionProvider: v.executionProvider ?? null,
    })),
  };
}

export default async function modelRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/v1/models',
    { config: { role: 'reader' }, schema: { tags: ['models'], response: { 200: ModelList } } },
    async () => ({ models: app.inference.models().map(modelSummary) }),
  );

  app.get(
    '/v1/models/:name',
    { config: { role: 'reader' }, schema: { tags: ['models'], params: ModelName, response: { 200: ModelSummary } } },
    async (request) => modelSummary(app.inference.model(request.params.name)),
  );

  app.post(
    '/v1/models/:name/promote',
    {
      config: { role: 'admin' },
      schema: { tags: ['models'], params: ModelName, body: PromoteRequest, response: { 200: PromoteResponse } },
    },
    async (request) => {
      const { name } = request.params;
      const previousVersion = app.inference.model(name).activeVersion;
      const info = await app.inference.promote(name, request.body.version);
      // Every other API replica and worker follows at once (and within the sync floor if it missed the message).
      await publishPromotion(app.queues.redis, app.queues.prefix, { model: name, version: info.activeVersion });
      request.log.info({ model: name, from: previousVersion, to: info.activeVersion }, 'model promoted');
      return { previousVersion, model: modelSummary(info) };
    },
  );
}
