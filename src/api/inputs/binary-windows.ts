/**
 * The binary request format of the scoring routes, for bulk clients: the body is the windows as raw little-endian
 * Float32 (`application/octet-stream`, `windows[w][t][f]` row-major, fields in the model's `inputFields` order),
 * and what JSON callers put in the body comes in headers: `x-window-shape: N,T,F` (required), `x-window-fields`,
 * `x-model`, `x-model-version`, `x-top-k`, `x-ttf`. Parsing is a view over the received bytes (no number is
 * parsed; JSON spent ~40 µs per window of the main thread on it); the values are checked where JSON windows are
 * (inference/window-requests.ts), with the same messages.
 *
 * Chosen over Apache Arrow IPC: Arrow is not installed here, and for one dense float tensor its framing adds
 * nothing that a shape header does not say.
 */
import { endianness } from 'node:os';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type TSchema, Type } from 'typebox';
import { AppError } from '../../errors.js';
import type { PackedWindows } from '../../inference/window-requests.js';

export const BINARY_WINDOWS = 'application/octet-stream';

const LITTLE_ENDIAN = endianness() === 'LE';

/** The headers of the binary format, for the OpenAPI document (ignored on JSON requests); routes add their own. */
export const BINARY_HEADERS = {
  'x-window-shape': Type.Optional(
    Type.String({
      description: `${BINARY_WINDOWS} bodies: N,T,F (windows, rows per window >= windowLength, fields); the body is N*T*F little-endian float32 values`,
    }),
  ),
  'x-window-fields': Type.Optional(
    Type.String({ description: `${BINARY_WINDOWS} bodies: comma list of the F columns (default: inputFields)` }),
  ),
  'x-model': Type.Optional(
    Type.String({ minLength: 1, maxLength: 128, description: `${BINARY_WINDOWS} bodies: as \`model\` in JSON` }),
  ),
  'x-model-version': Type.Optional(
    Type.String({ minLength: 1, maxLength: 128, description: `${BINARY_WINDOWS} bodies: as \`version\` in JSON` }),
  ),
};

/** A route body that is JSON (`json`) or the binary windows; the route tells them apart with `isBinary`. */
export function jsonOrBinaryBody(json: TSchema) {
  return {
    content: {
      'application/json': { schema: json },
      [BINARY_WINDOWS]: {
        schema: Type.String({
          format: 'binary',
          description: 'windows as raw little-endian float32, shape in x-window-shape (see the route description)',
        }),
      },
    },
  };
}

/** Accept binary bodies in this plugin's routes (the body limit is the app's). */
export function acceptBinaryWindows(app: FastifyInstance): void {
  app.addContentTypeParser(BINARY_WINDOWS, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
}

export const isBinary = (body: unknown): body is Buffer => Buffer.isBuffer(body);

/**
 * The body of a route that takes JSON or binary windows. With a per-media-type body schema Fastify validates only
 * a body that came: a request without one reaches the handler with `undefined` (the fuzzer's 500).
 */
export function requireBody<T>(body: T | Buffer | undefined): T | Buffer {
  if (body === undefined || body === null)
    throw new AppError('VALIDATION_FAILED', `a request body is required: application/json or ${BINARY_WINDOWS}`);
  return body;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function parseShape(raw: string | undefined): [number, number, number] {
  if (raw === undefined)
    throw new AppError('VALIDATION_FAILED', `x-window-shape is required with ${BINARY_WINDOWS} (N,T,F)`, {
      header: 'x-window-shape',
    });
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.length !== 3 || parts.some((p) => !/^\d{1,9}$/.test(p)))
    throw new AppError(
      'VALIDATION_FAILED',
      `x-window-shape must be N,T,F (three integers), got "${raw.slice(0, 64)}"`,
      {
        header: 'x-window-shape',
      },
    );
  return parts.map(Number) as [number, number, number];
}

/** The body as float32 values: a view when the bytes are aligned and the host is little-endian, else a copy. */
function float32Of(body: Buffer): Float32Array {
  if (body.byteLength % 4 !== 0)
    throw new AppError(
      'INVALID_WINDOW',
      `the body has ${body.byteLength} bytes, not a whole number of float32 values`,
      {
        bytes: body.byteLength,
      },
    );
  const n = body.byteLength / 4;
  if (LITTLE_ENDIAN && body.byteOffset % 4 === 0) return new Float32Array(body.buffer, body.byteOffset, n);
  const out = new Float32Array(n);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

export interface BinaryRequest {
  readonly packed: PackedWindows;
  readonly fields?: string[];
  readonly model?: string;
  readonly version?: string;
}

/** What the headers and body of a binary request say; the values themselves are checked against the model later. */
export function binaryRequest(request: FastifyRequest, body: Buffer): BinaryRequest {
  const shape = parseShape(header(request, 'x-window-shape'));
  const fieldList = header(request, 'x-window-fields');
  const fields = fieldList
    ?.split(',')
    .map((f) => f.trim())
    .filter((f) => f.length > 0);
  return {
    packed: { data: float32Of(body), shape },
    ...(fields ? { fields } : {}),
    model: header(request, 'x-model'),
    version: header(request, 'x-model-version'),
  };
}

/** An optional integer header (`x-top-k`) within [min, max]. */
export function intHeader(request: FastifyRequest, name: string, min: number, max: number): number | undefined {
  const raw = header(request, name);
  if (raw === undefined) return undefined;
  const n = /^\d{1,6}$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!(n >= min && n <= max))
    throw new AppError(
      'VALIDATION_FAILED',
      `${name} must be an integer in [${min}, ${max}], got "${raw.slice(0, 32)}"`,
      {
        header: name,
      },
    );
  return n;
}
