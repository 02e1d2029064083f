/**
 * Two rate limits, both answering 429 `RATE_LIMITED` with `retry-after`:
 *  - per client address, before authentication (an app-level `onRequest` hook registered ahead of the auth
 *    plugin's): requests with a wrong key or none are counted too, so key guessing and floods are throttled;
 *  - per API key (per address when anonymous), after authentication: @fastify/rate-limit's route hooks run after
 *    every app-level hook, so the principal is known by then.
 * Register this plugin before the auth plugin. Counters are per process (one API replica each).
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../errors.js';

const WINDOW_MS = 60_000;

async function rateLimitsPlugin(app: FastifyInstance) {
  const { api } = app.config;
  await app.register(rateLimit, {
    max: api.rateLimitPerMinute,
    timeWindow: WINDOW_MS,
    keyGenerator: (request) => request.principal?.name ?? request.ip,
    errorResponseBuilder: (_request, ctx) =>
      new AppError('RATE_LIMITED', `rate limit of ${ctx.max} requests per minute for this key exceeded`, {
        scope: 'key',
        limit: ctx.max,
        retryAfterS: Math.ceil(ctx.ttl / 1000),
      }),
  });

  // createRateLimit only counts; it does not mark the request as limited, so the per-key hook still runs.
  const perAddress = app.createRateLimit({
    max: api.rateLimitPerIpPerMinute,
    timeWindow: WINDOW_MS,
    keyGenerator: (request) => request.ip,
  });
  app.addHook('onRequest', async (request, reply) => {
    const state = await perAddress(request);
    if (state.isAllowed || !state.isExceeded) return;
    reply.header('x-ratelimit-limit', state.max);
    reply.header('x-ratelimit-remaining', 0);
    reply.header('x-ratelimit-reset', state.ttlInSeconds);
    reply.header('retry-after', state.ttlInSeconds);
    throw new AppError(
      'RATE_LIMITED',
      `rate limit of ${state.max} requests per minute from this address exceeded; retry in ${state.ttlInSeconds} s`,
      { scope: 'address', limit: state.max, retryAfterS: state.ttlInSeconds },
    );
  });
}

export default fp(rateLimitsPlugin, { name: 'rate-limits', dependencies: ['resources'] });
