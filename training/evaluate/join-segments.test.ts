import { describe, expect, it } from 'vitest';
import { type EntityResult, joinSegments } from './family-metrics.js';

/**
 * A segment of `n` rows starting at `t0` (ms), one window per row from the second on (window length 2); `a#2` is
 * a segment of `a`, as cleaning names them.
 */
function segment(entity: string, t0: number, n: number, score: number): EntityResult {
  const ts = Float64Array.from({ length: n }, (_, i) => t0 + i * 1000);
  return {
    entity: {
      entity,
      segmentOf: entity.split('#')[0],
      series: { ts, values: new Float64Array(n), features: ['v'] },
      events: [],
    },
    out: {
      endIndex: Int32Array.from({ length: n - 1 }, (_, i) => i + 1),
      endTs: ts.slice(1),
      values: new Float64Array(n - 1).fill(score),
      contributions: new Float64Array(n - 1).fill(1),
    },
  };
}

describe('joinSegments', () => {
  it("joins an entity's segments end to end and leaves a single one as it is", () => {
    const a = segment('a', 0, 3, 1);
    const a2 = segment('a#2', 10_000, 4, 2);
    const b = segment('b', 0, 3, 5);
    const joined = joinSegments([a, a2, b]);
    expect(joined.map((j) => j.result.entity.entity)).toEqual(['a', 'b']);
    expect(joined[0].parts).toEqual([a, a2]);
    expect(Array.from(joined[0].result.out.values)).toEqual([1, 1, 2, 2, 2]);
    expect(Array.from(joined[0].result.out.endTs)).toEqual([1000, 2000, 11_000, 12_000, 13_000]);
    // Row indices count the first segment's rows before the second's.
    expect(Array.from(joined[0].result.out.endIndex)).toEqual([1, 2, 4, 5, 6]);
    expect(joined[0].result.out.contributions).toHaveLength(5);
    expect(joined[1].result).toBe(b);
  });

  it('joins the entity alike: rows, labels and labelled events, indexed by the joined outputs', () => {
    const label = (r: EntityResult, rows: number[], ev: { start: number; end: number }) => ({
      ...r,
      entity: { ...r.entity, labels: Uint8Array.from(rows), events: [ev] },
    });
    const a = label(segment('a', 0, 3, 1), [0, 1, 0], { start: 1000, end: 1000 });
    const a2 = label(segment('a#2', 10_000, 4, 2), [0, 0, 1, 1], { start: 12_000, end: 13_000 });
    const [joined] = joinSegments([a, a2]);
    const e = joined.result.entity;
    expect(Array.from(e.series.ts)).toEqual([0, 1000, 2000, 10_000, 11_000, 12_000, 13_000]);
    expect(Array.from(e.labels!)).toEqual([0, 1, 0, 0, 0, 1, 1]);
    expect(e.events).toEqual([
      { start: 1000, end: 1000 },
      { start: 12_000, end: 13_000 },
    ]);
    // Each output's row index finds its own row's label in the joined entity.
    const out = joined.result.out;
    expect(Array.from(out.endIndex, (row) => e.series.ts[row])).toEqual(Array.from(out.endTs));
    // A segment without labels leaves the joined entity without them (never half a label array).
    const [unlabelled] = joinSegments([a, segment('a#2', 10_000, 4, 2)]);
    expect(unlabelled.result.entity.labels).toBeUndefined();
  });
});
