import { describe, expect, it } from 'vitest';
import { joinedAlarmShare } from './trainer-anomaly.js';

// A detector that flags only the last value it is given: run per segment it flags one value per segment, run over
// an entity's segments joined it flags one per entity.
const lastOnly = (values: readonly number[]) => Uint8Array.from(values, (_, i) => (i === values.length - 1 ? 1 : 0));

describe('joinedAlarmShare', () => {
  it("runs one detector per source entity over its segments' values in order", () => {
    const seen: number[][] = [];
    const share = joinedAlarmShare(
      [
        { entity: 'a', values: [1, 2] },
        { entity: 'a#2', values: [3] },
        { entity: 'b', values: [9, 8, 7] },
      ],
      new Map([
        ['a', 'a'],
        ['a#2', 'a'],
      ]),
      (v) => {
        seen.push([...v]);
        return lastOnly(v);
      },
      6,
    );
    expect(seen).toEqual([
      [1, 2, 3],
      [9, 8, 7],
    ]);
    expect(share).toBeCloseTo(2 / 6);
  });

  it('is 0 without windows', () => {
    expect(joinedAlarmShare([], new Map(), lastOnly, 0)).toBe(0);
  });
});
