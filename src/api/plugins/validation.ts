/**
 * Request validation with two Ajv instances. Query strings and path parameters arrive as text and are coerced to
 * their schema types (`?limit=3` → 3; 'array' also turns `?status=a` into ['a']). Bodies are never coerced: Ajv
 * would turn `null` into 0 inside a telemetry window, silently. Unknown body properties are rejected by schemas
 * that say so, never removed. Body errors are verbose (they carry their schema) so that a failed `oneOf` can be
 * named. Otherwise the options are Fastify's defaults.
 */
import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { BINARY_WINDOWS } from '../inputs/binary-windows.js';

// ajv-formats is CommonJS: under NodeNext its function is the `default` of the imported module object.
const addFormats = addFormatsModule.default;

function createAjv(coerceTypes: Options['coerceTypes'], verbose = false): Ajv {
  const ajv = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: false, allErrors: false, verbose });
  addFormats(ajv);
  return ajv;
}

export function installValidators(app: FastifyInstance): void {
  // Verbose: a failed `oneOf` carries its branches, whose descriptions the error handler puts in the message.
  const body = createAjv(false, true);
  const text = createAjv('array');
  app.setValidatorCompiler(({ schema, httpPart, contentType }) =>
    // A binary body (a Buffer) is checked where it is read, against its shape header (api/inputs/binary-windows.ts).
    httpPart === 'body' && contentType === BINARY_WINDOWS
      ? () => true
      : (httpPart === 'body' ? body : text).compile(schema),
  );
}
