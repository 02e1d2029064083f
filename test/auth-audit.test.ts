/** API keys, roles, rate limits per key and the audit of state-changing calls, on the real app and QuestDB. */
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.js';
import { sha256 } from '../src/api/plugins/auth.js';
import { KEYS, testConfig, uniqueTag, waitFor } from './helpers.js';

async function appWithProbeRoute(env: Record<string, string> = {}) {
  const app = await buildApp({ config: testConfig(env), logger: false });
  // A state-changing admin route, as models/promote or retrain are: enough to observe the auth plugin's audit.
  app.post('/v1/test/probe/:tag', { config: { role: 'admin' } }, async () => ({ ok: true }));
  app.get('/v1/test/read', { config: { role: 'reader' } }, async () => ({ ok: true }));
  await app.ready();
  return app;
}

describe('roles', () => {
  it('orders reader < operator < admin', async () => {
    const app = await appWithProbeRoute();
    try {
      const tag = uniqueTag();
      expect((await app.inject({ method: 'GET', url: '/v1/test/read', headers: KEYS.reader })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/v1/test/read', headers: KEYS.admin })).statusCode).toBe(200);
      const op = await app.inject({ method: 'POST', url: `/v1/test/probe/${tag}`, headers: KEYS.operator });
      expect(op.statusCode).toBe(403);
      expect(op.json().error.message).toMatch(/needs admin/);
      const bearer = await app.inject({
        method: 'POST',
        url: `/v1/test/probe/${tag}`,
        headers: { authorization: 'Bearer test-admin-key' },
      });
      expect(bearer.statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/v1/test/read' })).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });

  it('writes each state-changing call to api_audit with who and what', async () => {
    const app = await appWithProbeRoute();
    try {
      const tag = uniqueTag();
      await app.inject({ method: 'POST', url: `/v1/test/probe/${tag}`, headers: KEYS.admin });
      await app.inject({ method: 'POST', url: `/v1/test/probe/${tag}`, headers: KEYS.operator });
      const rows = await waitFor(
        () =>
          app.reader.query<{ principal: string; role: string; status: string; phase: string }>(
            'SELECT principal, role, status, phase FROM api_audit WHERE url = $1 ORDER BY ts, phase DESC',
            [`/v1/test/probe/${tag}`],
          ),
        (r) => r.length === 3,
      );
      // The allowed call is on record before it ran, then with its answer; the refused one only with its answer.
      expect(rows.map((r) => [r.role, r.phase, Number(r.status)])).toEqual([
        ['admin', 'requested', 0],
        ['admin', 'completed', 200],
        ['operator', 'completed', 403],
      ]);
    } finally {
      await app.close();
    }
  });

  it('accepts hashed keys from API_KEYS_FILE', async () => {
    const { writeFile, mkdtemp } = await import('node:fs/promises');
    const dir = await mkdtemp('/tmp/fleetsense-keys-');
    const file = `${dir}/keys.json`;
    await writeFile(file, JSON.stringify([{ name: 'ops-tool', role: 'reader', sha256: sha256('s3cret') }]));
    const app = await appWithProbeRoute({ API_KEYS: '', API_KEYS_FILE: file });
    try {
      expect(
        (await app.inject({ method: 'GET', url: '/v1/test/read', headers: { 'x-api-key': 's3cret' } })).statusCode,
      ).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/v1/test/read', headers: KEYS.reader })).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });
});

describe('rate limits', () => {
  it('limits each key separately and answers 429 with the error shape', async () => {
    const app = await appWithProbeRoute({ API_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const codes = [];
      for (let i = 0; i < 4; i++)
        codes.push((await app.inject({ url: '/v1/test/read', headers: KEYS.reader })).statusCode);
      expect(codes).toEqual([200, 200, 200, 429]);
      const limited = await app.inject({ url: '/v1/test/read', headers: KEYS.reader });
      expect(limited.json().error.code).toBe('RATE_LIMITED');
      // Another key has its own budget.
      expect((await app.inject({ url: '/v1/test/read', headers: KEYS.admin })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe('query strings', () => {
  it('coerce to the schema types, and still name a bad value', async () => {
    const app = await buildApp({ config: testConfig(), logger: false });
    app.get(
      '/v1/test/limit',
      {
        config: { role: 'reader' },
        schema: { querystring: { type: 'object', properties: { limit: { type: 'integer', maximum: 10 } } } },
      },
      async (request) => request.query,
    );
    await app.ready();
    try {
      const ok = await app.inject({ url: '/v1/test/limit?limit=3', headers: KEYS.reader });
      expect(ok.json()).toEqual({ limit: 3 });
      const bad = await app.inject({ url: '/v1/test/limit?limit=many', headers: KEYS.reader });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.message).toMatch(/querystring\.limit/);
    } finally {
      await app.close();
    }
  });
});
