/**
 * POST /v1/retrain (admin): queue a retrain of one model — train a candidate on recent data, evaluate it against
 * the active version on the same held-out window, promote only if it is better. While a retrain of that model is
 * waiting or running, another request joins it (same job). GET /v1/retrain/:jobId reports state and result.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../errors.js';
import { enqueueRetrain } from '../../queue/retrain.js';

const Job = Type.Object({
  jobId: Type.String(),
  model: Type.String(),
  state: Type.String(),
  progress: Type.Unknown(),
  result: Type.Optional(Type.Unknown()),
  failedReason: Type.Optional(Type.String()),
});

export default async function retrainRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/v1/retrain',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['models'],
        body: Type.Object({
          model: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' }),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
        }),
        response: { 202: Type.Object({ jobId: Type.String(), model: Type.String(), state: Type.String() }) },
      },
    },
    async (request, reply) => {
      const { model, from, to } = request.body;
      const range = { from: from ? Date.parse(from) : undefined, to: to ? Date.parse(to) : undefined };
      if (range.from !== undefined && range.to !== undefined && !(range.to > range.from)) {
        throw new AppError('VALIDATION_FAILED', 'body.to must be after body.from', { field: 'body.to' });
      }
      const { jobId } = await enqueueRetrain(app.queues, {
        model,
        trigger: 'api',
        requestedBy: request.principal?.name ?? 'unknown',
        ...range,
      });
      const state = (await (await app.queues.retrain.getJob(jobId))?.getState()) ?? 'unknown';
      return reply.status(202).send({ jobId, model, state });
    },
  );

  app.get(
    '/v1/retrain/:jobId',
    {
      config: { role: 'reader' },
      schema: {
        tags: ['models'],
        params: Type.Object({ jobId: Type.String({ maxLength: 200 }) }),
        response: { 200: Job },
      },
    },
    async (request) => {
      const job = await app.queues.retrain.getJob(request.params.jobId);
      if (!job) throw new AppError('NOT_FOUND', `no retrain job ${request.params.jobId}`);
      return {
        jobId: String(job.id),
        model: String(job.data.model),
        state: await job.getState(),
        progress: job.progress,
        ...(job.returnvalue !== undefined && job.returnvalue !== null ? { result: job.returnvalue } : {}),
        ...(job.failedReason ? { failedReason: job.failedReason } : {}),
      };
    },
  );
}
