/** GET /healthz: the process is alive. GET /readyz: every dependency answers, each with its own status. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { withTimeout } from '../../timeout.js';

const CHECK_TIMEOUT_MS = 2_000;

const CheckStatus = Type.Object({
  status: Type.Union([Type.Literal('up'), Type.Literal('down')]),
  latencyMs: Type.Number(),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  error: Type.Optional(Type.String()),
});

export default async function healthRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        response: { 200: Type.Object({ status: Type.Literal('ok'), uptimeS: Type.Number() }) },
      },
    },
    async () => ({ status: 'ok' as const, uptimeS: Math.round(process.uptime()) }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        response: {
          200: Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), CheckStatus) }),
          503: Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), CheckStatus) }),
        },
      },
    },
    async (_request, reply) => {
      const entries = await Promise.all(
        app.readiness.map(async (c) => {
          const started = performance.now();
          try {
            const details = await withTimeout(c.check(), CHECK_TIMEOUT_MS);
            return [
              c.name,
              { status: 'up' as const, latencyMs: Math.round(performance.now() - started), details },
            ] as const;
          } catch (err) {
            const error = err instanceof Error ? err.message : String(err);
            return [
              c.name,
              { status: 'down' as const, latencyMs: Math.round(performance.now() - started), error },
            ] as const;
          }
        }),
      );
      const checks = Object.fromEntries(entries);
      const ready = entries.every(([, s]) => s.status === 'up');
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
    },
  );
}
