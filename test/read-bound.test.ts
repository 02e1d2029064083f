/**
 * The work of one scoring request is bounded before QuestDB is read: devices × samples in the range × fields
 * against API_MAX_READ_VALUES. Real app, the served models of models/, real QuestDB.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootApp, KEYS, uniqueTag } from './helpers.js';

const HOUR = 3_600_000;
let small: FastifyInstance;
let roomy: FastifyInstance;

beforeAll(async () => {
  [small, roomy] = await Promise.all([bootApp({ API_MAX_READ_VALUES: '1000' }), bootApp()]);
});
afterAll(async () => {
  await Promise.all([small?.close(), roomy?.close()]);
});

const score = (app: FastifyInstance, url: string, payload: object) =>
  app.inject({ method: 'POST', url, headers: KEYS.reader, payload });

describe.each(['/v1/score/anomaly', '/v1/predict/fault'])('%s with devices over a range', (url) => {
  // Devices nobody wrote: a request that reaches QuestDB answers 404 UNKNOWN_DEVICE.
  const devices = [uniqueTag('rb'), uniqueTag('rb')].map((n) => `${n}/0`);
  const body = { devices, from: 0, to: HOUR };

  it('is refused with 400 naming the limit before anything is read', async () => {
    const res = await score(small, url, body);
    expect(res.statusCode, res.body).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toContain('API_MAX_READ_VALUES (1000)');
    // 10 s samples in the served models: 360 per device over the hour.
    expect(error.details).toMatchObject({
      limit: 'API_MAX_READ_VALUES',
      maxReadValues: 1000,
      devices: 2,
      samples: 360,
    });
    expect(error.details.values).toBe(2 * 360 * error.details.fields);
  });

  it('goes through to QuestDB within the limit', async () => {
    const res = await score(roomy, url, body);
    expect([res.statusCode, res.json().error.code]).toEqual([404, 'UNKNOWN_DEVICE']);
    const narrow = await score(small, url, { ...body, devices: devices.slice(0, 1), to: 10 * 10_000 });
    expect([narrow.statusCode, narrow.json().error.code]).toEqual([404, 'UNKNOWN_DEVICE']);
  });
});
