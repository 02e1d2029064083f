import { describe, expect, it } from 'vitest';
import type { EntityResult } from './family-metrics.js';
import { joinSegments } from './score-csv.js';

/** A segment of `n` rows starting at `t0` (ms), one window per row from the second on (window length 2). */
function segment(entity: string, t0: number, n: number, score: number): EntityResult {
  const ts = Float64Array.from({ length: n }, (_, i) => t0 + i * 1000);
  return {
    entity: { entity, series: { ts, values: new Float64Array(n), features: ['v'] }, events: [] },
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
    const joined = joinSegments([a, a2, b], ['a', 'a', 'b']);
    expect(joined.map((j) => j.result.entity.entity)).toEqual(['a', 'b']);
    expect(joined[0].parts).toEqual([a, a2]);
    expect(Array.from(joined[0].result.out.values)).toEqual([1, 1, 2, 2, 2]);
    expect(Array.from(joined[0].result.out.endTs)).toEqual([1000, 2000, 11_000, 12_000, 13_000]);
    // Row indices count the first segment's rows before the second's.
    expect(Array.from(joined[0].result.out.endIndex)).toEqual([1, 2, 4, 5, 6]);
    expect(joined[0].result.out.contributions).toHaveLength(5);
    expect(joined[1].result).toBe(b);
  });
});
