/**
 * The one error body of the API, `{error:{code,message,details}}`, as a shared schema: the OpenAPI document
 * references it from every error response, and Fastify serializes every error reply through it.
 */
import { Type } from 'typebox';
import { ERROR_CODES, type ErrorCode } from '../../errors.js';

export const ERROR_BODY_ID = 'ErrorBody';

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.Enum(Object.keys(ERROR_CODES) as ErrorCode[], { description: 'stable code (README: Errors)' }),
      message: Type.String(),
      details: Type.Optional(Type.Unknown({ description: 'e.g. the field, the rows, the limit' })),
    }),
  },
  { $id: ERROR_BODY_ID, description: 'every error response' },
);

/** What each error status means on this API (the response descriptions of the OpenAPI document). */
export const ERROR_STATUSES = {
  400: 'invalid request: `details` names the field or the limit',
  401: 'missing or unknown API key',
  403: "the key's role may not call this route",
  404: 'not found (model, version, device, telemetry in the range, or the resource named in the path)',
  409: 'the resource is in a state that does not allow this change',
  413: 'request body over API_BODY_LIMIT_BYTES',
  414: 'a path parameter is too long',
  429: 'rate limited (per client address or per key); see `retry-after`',
  500: 'internal error (no internals in the message)',
  503: 'QuestDB or Redis unavailable, or a write was not acknowledged: nothing was applied',
} as const;

export type ErrorStatus = keyof typeof ERROR_STATUSES;
