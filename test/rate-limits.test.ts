/**
 * Rate limits on the real app: per client address before authentication (wrong keys and no keys are throttled
 * too), then per API key. Low limits come from the configuration given to buildApp.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { bootApp, KEYS } from './helpers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const get = (headers: Record<string, string> = {}, remoteAddress = '10.0.0.1') =>
  app!.inject({ method: 'GET', url: '/v1/safety/circuit-breaker', headers, remoteAddress });

describe('rate limit per client address, before authentication', () => {
  it('throttles wrong keys and missing keys, with the error body and retry-after', async () => {
    app = await bootApp({ API_RATE_LIMIT_PER_IP_PER_MINUTE: '5', API_RATE_LIMIT_PER_MINUTE: '1000' });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await get({ 'x-api-key': `guess-${i}` })).statusCode);
    for (let i = 0; i < 2; i++) statuses.push((await get()).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);

    const limited = await get({ 'x-api-key': 'guess-6' });
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toEqual({
      error: {
        code: 'RATE_LIMITED',
        message: expect.stringContaining('5 requests per minute from this address'),
        details: { scope: 'address', limit: 5, retryAfterS: expect.any(Number) },
      },
    });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // A right key from the same address waits too; another address is not affected.
    expect((await get(KEYS.reader)).statusCode).toBe(429);
    expect((await get(KEYS.reader, '10.0.0.2')).statusCode).toBe(200);
  });
});

describe('rate limit per API key, after authentication', () => {
  it('counts each key on its own and answers 429 with the error body', async () => {
    app = await bootApp({ API_RATE_LIMIT_PER_IP_PER_MINUTE: '1000', API_RATE_LIMIT_PER_MINUTE: '3' });
    for (let i = 0; i < 3; i++) expect((await get(KEYS.reader)).statusCode).toBe(200);
    const limited = await get(KEYS.reader);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error).toMatchObject({
      code: 'RATE_LIMITED',
      message: expect.stringContaining('3 requests per minute for this key'),
      details: { scope: 'key', limit: 3 },
    });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await get(KEYS.operator)).statusCode).toBe(200);
  });
});
