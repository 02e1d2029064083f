/**
 * One frozen table of stable error codes. The API maps an `AppError` to `{error:{code,message,details}}` with
 * the table's status, once, in its error handler. A retired code is never reused; `test/docs-in-step.test.ts` keeps
 * this table and the README's list in step.
 */

export const ERROR_CODES = Object.freeze({
  CONFIG_INVALID: { status: 500, message: 'invalid configuration' },
  VALIDATION_FAILED: { status: 400, message: 'request failed validation' },
  INVALID_ROWS: { status: 400, message: 'batch has invalid rows; nothing was stored' },
  EMPTY_BATCH: { status: 400, message: 'batch is empty' },
  INVALID_WINDOW: { status: 400, message: 'window has the wrong shape or non-finite values' },
  UNKNOWN_DEVICE: { status: 404, message: 'unknown device' },
  NO_DATA: { status: 404, message: 'no telemetry in the requested range' },
  MODEL_NOT_FOUND: { status: 404, message: 'model or version not found' },
  NOT_FOUND: { status: 404, message: 'resource not found' },
  UNAUTHORIZED: { status: 401, message: 'missing or invalid API key' },
  FORBIDDEN: { status: 403, message: 'role not allowed' },
  RATE_LIMITED: { status: 429, message: 'rate limit exceeded' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'request body too large' },
  CONFLICT: { status: 409, message: 'conflicting state' },
  STORAGE_UNAVAILABLE: { status: 503, message: 'time-series store unavailable' },
  STORAGE_REJECTED: { status: 400, message: 'the time-series store refused the rows; nothing of them was stored' },
  QUEUE_UNAVAILABLE: { status: 503, message: 'queue unavailable' },
  SCORE_NOT_FINITE: { status: 422, message: 'the model output is not a finite number for these inputs' },
  INFERENCE_FAILED: { status: 500, message: 'inference failed' },
  BACKEND_UNAVAILABLE: { status: 500, message: 'requested compute backend is not available' },
  INTERNAL: { status: 500, message: 'internal error' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'method not allowed on this path' },
} as const);

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: unknown;

  constructor(code: ErrorCode, message?: string, details?: unknown, options?: { cause?: unknown }) {
    super(message ?? ERROR_CODES[code].message, options);
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.details = details;
  }
}

export class ConfigError extends AppError {
  constructor(message: string) {
    super('CONFIG_INVALID', message);
    this.name = 'ConfigError';
  }
}

/** One bad row of a batch: which row, which field, and why. */
export interface RowError {
  readonly row: number;
  readonly field: string;
  readonly reason: string;
}
