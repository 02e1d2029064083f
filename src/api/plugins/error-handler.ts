/**
 * The one place errors become HTTP responses: `{error:{code,message,details}}` with the status from the error
 * table. Validation errors name the field; 5xx bodies never carry a stack or an internal message.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
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

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    if (err instanceof AppError) {
      if (err.status >= 500) request.log.error({ err }, err.message);
      const message = err.status >= 500 && err.code === 'INTERNAL' ? ERROR_CODES.INTERNAL.message : err.message;
      return reply.status(err.status).send(errorBody(err.code, message, err.details));
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      const details = fe.validation.map((v) => ({
        field: `${fe.validationContext ?? 'body'}${v.instancePath.replaceAll('/', '.')}`,
        reason: v.message ?? 'invalid',
      }));
      const first = details[0];
      return reply
        .status(400)
        .send(errorBody('VALIDATION_FAILED', first ? `${first.field}: ${first.reason}` : fe.message, details));
    }
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

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(errorBody('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );
}
