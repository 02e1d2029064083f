/** GET /v1/whoami: the caller as the API sees it, so the console shows only what the key's role may do. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';

export default async function whoamiRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/v1/whoami',
    {
      config: { role: 'reader' },
      schema: {
        tags: ['health'],
        description: "The caller's key name and role (`anonymous` when API_ANONYMOUS_ROLE lets callers in keyless).",
        response: {
          200: Type.Object({ name: Type.String(), role: Type.Enum(['reader', 'operator', 'admin'] as const) }),
        },
      },
    },
    // The auth hook has set the principal: a route with a role is never reached without one.
    async (request) => ({ name: request.principal!.name, role: request.principal!.role }),
  );
}
