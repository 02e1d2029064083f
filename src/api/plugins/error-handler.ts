/**
 * The one place errors become HTTP responses: `{error:{code,message,details}}` with the status from the error
 * table. Validation errors name the field; 5xx bodies never carry a stack or an internal message.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ERROR_CODES, type ErrorCode } from '../../errors.js';

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'VALIDATION_FAILED',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'VALIDATION_FAILED',
  FST_ERR_CTP_INVALID_JSON_BODY: 'VALIDATION_FAILED',
};

/** ioredis errors that mean Redis is away (not a bad command): the queue is unavailable, retry later. */
const REDIS_UNAVAILABLE =
  /Connection is closed|Command timed out|max retries per request|Stream isn't writeable|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE/i;
const isRedisUnavailable = (err: Error) =>
  err.name === 'MaxRetriesPerRequestError' || (!('statusCode' in err) && REDIS_UNAVAILABLE.test(err.message));

export function errorBody(code: ErrorCode, message: string, details?: unknown) {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}

type Problem = { field: string; reason: string };
type Validation = NonNullable<FastifyError['validation']>;

/** A failed `oneOf` (verbose Ajv errors carry its branches): "send exactly one of <branch descriptions>". */
function oneOfProblem(validation: Validation, field: (path: string) => string): Problem | undefined {
  const failed = validation.find((v) => v.keyword === 'oneOf') as
    | { instancePath: string; schema?: unknown }
    | undefined;
  if (!failed || !Array.isArray(failed.schema)) return undefined;
  const names = failed.schema.map((b: { description?: string }) => b.description).filter(Boolean);
  if (names.length === 0) return undefined;
  return { field: field(failed.instancePath), reason: `send exactly one of ${names.join(' or ')}` };
}

/** Ajv's errors as the API's body: the first problem in the message, every problem in details, naming fields. */
function validationBody(fe: FastifyError, validation: Validation) {
  const field = (path: string) => `${fe.validationContext ?? 'body'}${path.replaceAll('/', '.')}`;
  const shape = oneOfProblem(validation, field);
  const details = shape
    ? [shape]
    : validation.map((v) => ({ field: field(v.instancePath), reason: v.message ?? 'invalid' }));
  // An empty batch (schema `minItems: 1`) keeps its own code, as it had before the schema said so.
  const v = validation[0];
  const empty = v?.keyword === 'minItems' && (v.params as { limit?: number }).limit === 1;
  const first = details[0];
  return errorBody(
    empty ? 'EMPTY_BATCH' : 'VALIDATION_FAILED',
    first ? `${first.field}: ${first.reason}` : fe.message,
    details,
  );
}

/** Longest path parameter the router accepts; every parameter schema allows less, so validation names it first. */
export const MAX_PARAM_LENGTH = 1_024;

/**
 * Errors the router raises before any hook runs (a malformed escape, a parameter over MAX_PARAM_LENGTH): the same
 * error body as every other error, instead of Fastify's own.
 */
export function frameworkErrors(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
  const message =
    status === 414 ? `a path parameter is longer than ${MAX_PARAM_LENGTH} characters` : 'the URL is not valid';
  void reply.status(status).send(errorBody('VALIDATION_FAILED', message));
}

/** Path patterns of every route and their methods: an unknown method on a known path is a 405, not a 404. */
function routeTable(app: FastifyInstance): (path: string) => string[] {
  const routes: Array<{ pattern: RegExp; method: string }> = [];
  app.addHook('onRoute', (route) => {
    const source = route.url
      .split('/')
      .map((part) =>
        part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('/');
    for (const method of ([] as string[]).concat(route.method))
      routes.push({ pattern: new RegExp(`^${source}$`), method });
  });
  return (path) => [...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))];
}

export function installErrorHandler(app: FastifyInstance): void {
  const methodsOf = routeTable(app);
  const notFound = (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0];
    const allow = methodsOf(path);
    if (allow.length === 0) return reply.status(404).send(errorBody('NOT_FOUND', `no route ${request.method} ${path}`));
    return reply
      .status(405)
      .header('allow', allow.join(', '))
      .send(
        errorBody('METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${path}; allowed: ${allow.join(', ')}`),
      );
  };

  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    // No route matched and Fastify's body handling failed first (e.g. QUERY without a content type): still a 404
    // or 405. Our own errors (rate limits, unknown keys) keep their status.
    if (request.is404 && !(err instanceof AppError)) return notFound(request, reply);
    if (err instanceof AppError) {
      if (err.status >= 500) request.log.error({ err }, err.message);
      const message = err.status >= 500 && err.code === 'INTERNAL' ? ERROR_CODES.INTERNAL.message : err.message;
      return reply.status(err.status).send(errorBody(err.code, message, err.details));
    }
    const fe = err as FastifyError;
    if (fe.validation) return reply.status(400).send(validationBody(fe, fe.validation));
    const mapped = fe.code ? FASTIFY_CODES[fe.code] : undefined;
    if (mapped) return reply.status(ERROR_CODES[mapped].status).send(errorBody(mapped, fe.message));
    if (fe.statusCode === 429) return reply.status(429).send(errorBody('RATE_LIMITED', fe.message));
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply.status(fe.statusCode).send(errorBody('VALIDATION_FAILED', fe.message));
    }
    if (isRedisUnavailable(fe)) {
      request.log.warn({ err: fe.message }, 'redis unavailable');
      return reply
        .status(503)
        .send(errorBody('QUEUE_UNAVAILABLE', 'Redis is unavailable; nothing was changed, retry later'));
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send(errorBody('INTERNAL', ERROR_CODES.INTERNAL.message));
  });

  app.setNotFoundHandler(notFound);
}
