/**
 * The OpenAPI document says what the server does: every operation lists its error statuses with the shared
 * error schema, public routes need no key, and the telemetry body schema refuses what the route refuses.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootApp, KEYS } from './helpers.js';

interface Operation {
  security?: unknown[];
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
  requestBody?: { content: Record<string, { schema: { properties: Record<string, { minItems?: number }> } }> };
}
let app: FastifyInstance;
let paths: Record<string, Record<string, Operation>>;
let components: Record<string, unknown>;

beforeAll(async () => {
  app = await bootApp();
  const spec = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
  paths = spec.paths;
  components = spec.components.schemas;
});
afterAll(async () => app?.close());

const operations = () =>
  Object.entries(paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));
const statuses = (op: Operation) => Object.keys(op.responses).map(Number);
const errorRef = (op: Operation, status: number) => op.responses[status]?.content?.['application/json']?.schema.$ref;

describe('OpenAPI document', () => {
  it('documents the error statuses of every operation with the shared error schema', () => {
    expect(components.ErrorBody).toMatchObject({ properties: { error: { required: ['code', 'message'] } } });
    expect(operations().length).toBeGreaterThan(15);
    for (const { path, method, op } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(statuses(op), where).toEqual(expect.arrayContaining([429, 500]));
      if (op.security?.length !== 0) expect(statuses(op), where).toEqual(expect.arrayContaining([401, 403, 503]));
      if (method === 'post') expect(statuses(op), where).toEqual(expect.arrayContaining([400, 413]));
      if (path.includes('{')) expect(statuses(op), where).toEqual(expect.arrayContaining([400, 404, 414]));
      for (const s of statuses(op).filter((s) => s >= 400 && !(path === '/readyz' && s === 503))) {
        expect(errorRef(op, s), `${where} ${s}`).toBe('#/components/schemas/ErrorBody');
      }
    }
    expect(statuses(paths['/v1/score/anomaly'].post)).toContain(404);
    expect(statuses(paths['/v1/recommendations/{id}/approve'].post)).toContain(409);
  });

  it('marks the health and metrics routes public and everything under /v1 protected', () => {
    for (const path of ['/healthz', '/readyz', '/metrics']) expect(paths[path].get.security, path).toEqual([]);
    for (const { path, op } of operations().filter((o) => o.path.startsWith('/v1/'))) {
      expect(op.security, path).toBeUndefined(); // the document's default: the API key
    }
  });

  it('says a telemetry batch needs a row, and the server answers an empty one as documented', async () => {
    const body = paths['/v1/telemetry/gpu'].post.requestBody!.content['application/json'].schema;
    expect(body.properties.rows.minItems).toBe(1);
    const empty = await app.inject({
      method: 'POST',
      url: '/v1/telemetry/gpu',
      headers: KEYS.operator,
      payload: { rows: [] },
    });
    expect([empty.statusCode, empty.json().error.code]).toEqual([400, 'EMPTY_BATCH']);
    expect(empty.json().error.message).toContain('body.rows');
  });

  it('says a scoring request has exactly one source, and the server refuses the others as documented', async () => {
    const schema = paths['/v1/score/anomaly'].post.requestBody!.content['application/json'].schema as {
      oneOf?: Array<{ required: string[] }>;
    };
    expect(schema.oneOf?.map((b) => b.required)).toEqual([['windows'], ['devices', 'from', 'to']]);
    for (const payload of [{}, { devices: ['n/0'], from: 0 }, { windows: [[[1]]], devices: ['n/0'], from: 0, to: 1 }]) {
      const res = await app.inject({ method: 'POST', url: '/v1/predict/fault', headers: KEYS.reader, payload });
      expect([res.statusCode, res.json().error.message], JSON.stringify(payload)).toEqual([
        400,
        'body: send exactly one of `windows` or `devices` with `from` and `to`',
      ]);
    }
  });

  it('answers a path parameter past the router limit with 414 and the error body', async () => {
    const res = await app.inject({ method: 'GET', url: `/v1/models/${'m'.repeat(2000)}`, headers: KEYS.reader });
    expect(res.statusCode).toBe(414);
    expect(res.json()).toEqual({ error: { code: 'VALIDATION_FAILED', message: expect.stringContaining('1024') } });
    const long = await app.inject({ method: 'GET', url: `/v1/retrain/${'j'.repeat(300)}`, headers: KEYS.reader });
    expect([long.statusCode, long.json().error.message]).toEqual([400, expect.stringContaining('params.jobId')]);
  });

  it('answers a method the path does not have with 405 and allow, an unknown path with 404', async () => {
    const trace = await app.inject({ method: 'TRACE', url: '/healthz' });
    expect([trace.statusCode, trace.headers.allow, trace.json().error.code]).toEqual([
      405,
      'GET, HEAD',
      'METHOD_NOT_ALLOWED',
    ]);
    // QUERY carries a body: the parser's complaint about the missing content type must not hide the 405.
    const query = await app.inject({ method: 'QUERY', url: '/v1/models/m', headers: KEYS.reader });
    expect([query.statusCode, query.headers.allow]).toEqual([405, 'GET, HEAD']);
    const del = await app.inject({ method: 'DELETE', url: '/v1/recommendations/r1/approve', headers: KEYS.reader });
    expect([del.statusCode, del.headers.allow]).toEqual([405, 'POST']);
    const none = await app.inject({ method: 'GET', url: '/v1/nothing-here', headers: KEYS.reader });
    expect([none.statusCode, none.json().error.code]).toEqual([404, 'NOT_FOUND']);
  });
});
