/**
 * The OpenAPI document (`/docs/json`, UI at `/docs`) and the error responses of every route, added in one place
 * (an `onRoute` hook) so that generated clients and fuzzers see every status the server can answer:
 *  - every route: 429 (rate limits) and 500;
 *  - a route with a body, query or path parameters, or a POST: 400; a POST: 413 (body limit);
 *  - path parameters: 404 and 414 (longer than the router's limit);
 *  - a protected route (`config.role`): 401, 403 and 503 (its store, its queue or its audit row);
 *  - whatever the route adds in `config.errorStatuses` (e.g. 404 for an unknown device, 409 for a state conflict).
 * Each references the shared ErrorBody schema, which also serializes the error replies. A route without a role is
 * marked public (`security: []`). Register before any route.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { ERROR_BODY_ID, ERROR_STATUSES, ErrorBody, type ErrorStatus } from '../schemas/errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Error statuses of this route beyond those the openapi plugin infers from its schema and role. */
    errorStatuses?: readonly ErrorStatus[];
  }
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

type RouteSchema = NonNullable<RouteOptions['schema']> & {
  hide?: boolean;
  security?: unknown[];
  response?: Record<string, unknown>;
};

export function errorStatusesOf(route: Pick<RouteOptions, 'method' | 'schema' | 'config'>): ErrorStatus[] {
  const schema = (route.schema ?? {}) as RouteSchema;
  const methods = ([] as string[]).concat(route.method);
  const statuses = new Set<ErrorStatus>([429, 500]);
  const post = methods.some((m) => BODY_METHODS.has(m));
  if (schema.body || schema.querystring || schema.params || post) statuses.add(400);
  if (post) statuses.add(413);
  if (schema.params) {
    statuses.add(404);
    statuses.add(414);
  }
  if (route.config?.role) for (const s of [401, 403, 503] as const) statuses.add(s);
  for (const s of route.config?.errorStatuses ?? []) statuses.add(s);
  return [...statuses].sort((a, b) => a - b);
}

function documentErrors(route: RouteOptions): void {
  const schema = (route.schema ?? {}) as RouteSchema;
  if (schema.hide) return;
  const response = { ...(schema.response ?? {}) };
  for (const status of errorStatusesOf(route)) {
    response[status] ??= { description: ERROR_STATUSES[status], $ref: `${ERROR_BODY_ID}#` };
  }
  route.schema = { ...schema, response, ...(route.config?.role || schema.security ? {} : { security: [] }) };
}

async function openapiPlugin(app: FastifyInstance) {
  app.addSchema(ErrorBody);
  app.addHook('onRoute', documentErrors);
  await app.register(swagger, {
    openapi: {
      info: { title: 'fleetsense API', version: '0.1.0', description: 'Predictive maintenance for GPU data centers' },
      components: {
        securitySchemes: { apiKey: { type: 'apiKey', name: 'x-api-key', in: 'header' } },
      },
      security: [{ apiKey: [] }],
    },
    // Shared schemas keep their $id as their component name (ErrorBody), not def-0.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}

export default fp(openapiPlugin, { name: 'openapi' });
