/**
 * The ONNX Runtime serving core as a Fastify plugin: opens `InferenceService` (worker-thread sessions for every
 * served model), decorates `app.inference`, wires its metrics onto `app.metrics`, adds an `inference` readiness
 * check (models served, with their execution provider), and leaves closing it to the composition.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { inferenceMetrics } from '../../inference/inference-metrics.js';
import type { InferenceService } from '../../inference/inference-service.js';

declare module 'fastify' {
  interface FastifyInstance {
    inference: InferenceService;
  }
}

async function inferencePlugin(app: FastifyInstance) {
  // The process's one service (shared with the workers in `all`); the composition closes it.
  const svc = await app.composition.inference({ observer: inferenceMetrics(app.metrics) });
  app.decorate('inference', svc);
  app.readiness.push({
    name: 'inference',
    check: async () => {
      const s = svc.status();
      // One broken model does not make the API unready while others serve; nothing served and errors does.
      if (s.models.length === 0 && s.errors.length > 0)
        throw new Error(`no model could be loaded: ${s.errors.map((e) => `${e.name}: ${e.message}`).join('; ')}`);
      return { workers: s.workers, models: s.models, ...(s.errors.length > 0 ? { errors: s.errors } : {}) };
    },
  });
}

export default fp(inferencePlugin, { name: 'inference', dependencies: ['resources', 'metrics'] });
