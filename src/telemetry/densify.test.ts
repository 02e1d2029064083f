import { describe, expect, it } from 'vitest';
import { densify, fillEdges } from './densify.js';

describe('fillEdges', () => {
  it('forward-fills gaps and backward-fills a leading gap per column', () => {
    const v = Float64Array.from([Number.NaN, 1, 2, Number.NaN, Number.NaN, 3, 4, Number.NaN]);
    fillEdges(v, 4, 2);
    expect(Array.from(v)).toEqual([2, 1, 2, 1, 2, 3, 4, 3]);
  });
  it('leaves a column that never reported as NaN', () => {
    const v = Float64Array.from([Number.NaN, Number.NaN]);
    fillEdges(v, 2, 1);
    expect(v.every(Number.isNaN)).toBe(true);
  });
});

describe('densify', () => {
  it('places rows on the grid by time and keeps only wanted devices', () => {
    const rows = [
      { ts: 1000, node: 'n1', gpu: '0', x: 5 },
      { ts: 3000, node: 'n1', gpu: '0', x: 7 },
      { ts: 2000, node: 'n2', gpu: '1', x: 9 },
    ];
    const out = densify(rows, { from: 0, to: 4000, periodMs: 1000, fields: ['x'], wanted: new Set(['n1/0']) });
    expect([...out.keys()]).toEqual(['n1/0']);
    expect(Array.from(out.get('n1/0')!.values)).toEqual([5, 5, 5, 7]);
  });
});

describe('densify with a key', () => {
  it('keys series by the given function (e.g. facility rows by rack)', () => {
    const rows = [
      { ts: 1000, rack: 'r1', x: 20 },
      { ts: 0, rack: 'r2', x: 30 },
    ];
    const out = densify(rows, {
      from: 0,
      to: 3000,
      periodMs: 1000,
      fields: ['x'],
      wanted: null,
      key: (r) => String(r.rack),
    });
    expect([...out.keys()]).toEqual(['r1', 'r2']);
    expect(Array.from(out.get('r1')!.values)).toEqual([20, 20, 20]);
    expect(Array.from(out.get('r2')!.values)).toEqual([30, 30, 30]);
  });
});
