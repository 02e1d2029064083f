import { describe, expect, it } from 'vitest';
import { MAX_ROW_ERRORS, validateRows } from './validate-rows.js';

const ok = { ts: '2026-11-28T06:00:00Z', cluster: 'c', node: 'n', gpu: '0', gpu_temp_c: 50, xid_last: 48 };

describe('validateRows', () => {
  it('accepts epoch ms and ISO timestamps with a zone, and null as absent', () => {
    const r = validateRows('gpu_metrics', [ok, { ...ok, ts: Date.UTC(2026, 10, 28), power_w: null }]);
    expect(r.errors).toEqual([]);
    expect(r.rows[0]).toEqual({
      ts: Date.UTC(2026, 10, 28, 6),
      symbols: { cluster: 'c', node: 'n', gpu: '0' },
      values: { gpu_temp_c: 50, xid_last: 48 },
    });
    expect(r.rows[1].values).toEqual({ gpu_temp_c: 50, xid_last: 48 });
  });

  it.each([
    [{ ...ok, ts: '2026-11-28T06:00:00' }, 'ts', /with a zone/],
    [{ ...ok, ts: 1_700_000_000 }, 'ts', /seconds or microseconds/],
    [{ ...ok, ts: undefined }, 'ts', /required/],
    [{ ...ok, node: undefined }, 'node', /required/],
    [{ ...ok, node: 7 }, 'node', /non-empty string/],
    [{ ...ok, gpu_temp_c: 'NaN' }, 'gpu_temp_c', /must be a number/],
    [{ ...ok, xid_last: 4.5 }, 'xid_last', /integer/],
    [{ ...ok, surprise: 1 }, 'surprise', /unknown field/],
    // What QuestDB would refuse (or silently store wrongly) is refused here, for ISO strings as for numbers.
    [{ ...ok, ts: '1900-01-01T00:00:00Z' }, 'ts', /outside 2000\.\.2100/],
    [{ ...ok, ts: '2999-01-01T00:00:00Z' }, 'ts', /outside 2000\.\.2100/],
    [{ ...ok, ts: '1970-01-01T00:00:01Z' }, 'ts', /outside 2000\.\.2100/],
    [{ ...ok, ts: '2026-02-30T00:00:00Z' }, 'ts', /not a real calendar date/],
    [{ ...ok, ts: '2026-01-01T24:00:00Z' }, 'ts', /not a real calendar date/],
    [{ ...ok, node: 'n\u0000x' }, 'node', /control characters/],
    [{ ...ok, gpu: 'a\nb' }, 'gpu', /control characters/],
  ])('rejects %j at field %s', (row, field, reason) => {
    const r = validateRows('gpu_metrics', [ok, row]);
    expect(r.rows).toEqual([]);
    expect(r.errors).toEqual([{ row: 1, field, reason: expect.stringMatching(reason) }]);
  });

  it('accepts zone offsets and fractional seconds on real dates', () => {
    const r = validateRows('gpu_metrics', [{ ...ok, ts: '2028-02-29T23:59:59.5+02:00' }]);
    expect(r.errors).toEqual([]);
    expect(r.rows[0].ts).toBe(Date.UTC(2028, 1, 29, 21, 59, 59, 500));
  });

  it('rejects a non-object row', () => {
    expect(validateRows('job_metrics', [42]).errors).toEqual([
      { row: 0, field: '', reason: 'row must be a JSON object' },
    ]);
  });

  it('bounds the error list and says it was truncated', () => {
    const bad = Array.from({ length: MAX_ROW_ERRORS + 5 }, () => ({ ...ok, gpu_temp_c: 'x' }));
    const r = validateRows('gpu_metrics', bad);
    expect(r.errors).toHaveLength(MAX_ROW_ERRORS);
    expect(r.truncated).toBe(true);
  });
});
