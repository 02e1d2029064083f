import { describe, expect, test } from 'vitest';
import { appErrorOf } from '../../test/app-error.js';
import { checkFields, inputFieldsOf, seriesFromPacked, seriesFromWindows } from './window-requests.js';

const meta = {
  name: 'ae',
  version: 'v1',
  windowLength: 3,
  samplePeriodMs: 10_000,
  features: ['gpu_temp_c', 'delta:ecc_sbe_volatile'],
};
const FIELDS = inputFieldsOf(meta);
const good = [
  [60, 0],
  [61, 1],
  [62, 1],
];

describe('seriesFromWindows', () => {
  test('raw fields of the features, in order; windows become evenly spaced series', () => {
    expect(FIELDS).toEqual(['gpu_temp_c', 'ecc_sbe_volatile']);
    const [s] = seriesFromWindows([good], FIELDS, meta, 100_000);
    expect(Array.from(s.ts)).toEqual([80_000, 90_000, 100_000]);
    expect(Array.from(s.values)).toEqual([60, 0, 61, 1, 62, 1]);
    expect(s.features).toEqual(FIELDS);
  });

  test('extra leading rows are accepted as history', () => {
    expect(seriesFromWindows([[[59, 0], ...good]], FIELDS, meta)[0].ts.length).toBe(4);
  });

  test('wrong shapes and non-finite values name the window, row and field', () => {
    const short = appErrorOf(() => seriesFromWindows([good, good.slice(1)], FIELDS, meta));
    expect([short.code, short.details]).toEqual(['INVALID_WINDOW', { window: 1, expected: [3, 2], got: [2, 2] }]);
    expect(short.message).toContain('[3, 2]');
    const narrow = appErrorOf(() => seriesFromWindows([[good[0], [61], good[2]]], FIELDS, meta));
    expect(narrow.details).toMatchObject({ window: 0, row: 1, got: [3, 1] });
    for (const bad of [null, 'NaN', Number.NaN, Number.POSITIVE_INFINITY]) {
      const e = appErrorOf(() => seriesFromWindows([[good[0], good[1], [62, bad as number]]], FIELDS, meta));
      expect([e.code, e.details]).toEqual(['INVALID_WINDOW', { window: 0, row: 2, field: 'ecc_sbe_volatile' }]);
    }
    expect(appErrorOf(() => seriesFromWindows([], FIELDS, meta)).code).toBe('EMPTY_BATCH');
  });

  test('checkFields wants every raw field once', () => {
    expect(() => checkFields(['ecc_sbe_volatile', 'gpu_temp_c', 'power_w'], meta)).not.toThrow();
    expect(appErrorOf(() => checkFields(['gpu_temp_c'], meta)).details).toMatchObject({
      missing: ['ecc_sbe_volatile'],
    });
    expect(appErrorOf(() => checkFields(['gpu_temp_c', 'gpu_temp_c', 'ecc_sbe_volatile'], meta)).code).toBe(
      'VALIDATION_FAILED',
    );
  });
});

describe('seriesFromPacked', () => {
  const other = good.map(([temp, ecc]) => [temp + 5, ecc * 2]);
  const packed = (ws: number[][][], shape: [number, number, number]) => ({ data: new Float32Array(ws.flat(2)), shape });

  test('the same series as the same windows in JSON', () => {
    const got = seriesFromPacked(packed([good, other], [2, 3, 2]), FIELDS, meta, 100_000);
    const want = seriesFromWindows([good, other], FIELDS, meta, 100_000);
    expect(got.map((s) => [Array.from(s.ts), Array.from(s.values), s.features])).toEqual(
      want.map((s) => [Array.from(s.ts), Array.from(s.values), s.features]),
    );
  });

  test('shape against the model, length against the shape, finite values by window, row and field', () => {
    const short = appErrorOf(() => seriesFromPacked(packed([good.slice(1)], [1, 2, 2]), FIELDS, meta));
    expect([short.code, short.details]).toEqual(['INVALID_WINDOW', { expected: [3, 2], got: [2, 2] }]);
    const length = appErrorOf(() => seriesFromPacked(packed([good], [2, 3, 2]), FIELDS, meta));
    expect([length.code, length.details]).toEqual(['INVALID_WINDOW', { shape: [2, 3, 2], values: 6 }]);
    const nan = packed([good, other], [2, 3, 2]);
    nan.data[2 * 3 + 2 * 2 + 1] = Number.POSITIVE_INFINITY;
    const e = appErrorOf(() => seriesFromPacked(nan, FIELDS, meta));
    expect([e.code, e.details]).toEqual(['INVALID_WINDOW', { window: 1, row: 2, field: 'ecc_sbe_volatile' }]);
    expect(appErrorOf(() => seriesFromPacked(packed([], [0, 3, 2]), FIELDS, meta)).code).toBe('EMPTY_BATCH');
  });
});
