import { describe, expect, it } from 'vitest';
import { baseFields, isPeerField, withPeerFields } from './peers.js';
import type { Series } from './windows.js';

const ts = Float64Array.from([0, 10]);
const gpu = (util: number[], fb: number[]): Series => ({
  ts,
  values: Float64Array.from(util.flatMap((u, t) => [u, fb[t]])),
  features: ['gpu_util', 'fb_used_mib'],
});
const FIELDS = ['gpu_util', 'below-peers:gpu_util', 'above-peers:fb_used_mib'];

describe('peer features', () => {
  it('names peer fields and the base fields a read needs', () => {
    expect(isPeerField('below-peers:gpu_util')).toBe(true);
    expect(isPeerField('delta:ecc_sbe_volatile')).toBe(false);
    expect(baseFields(FIELDS)).toEqual(['gpu_util', 'fb_used_mib']);
  });

  it('measures each GPU against the median of its job, one-sided, and 0 without peers', () => {
    const fleet = new Map([
      ['a', gpu([90, 90], [1000, 1000])],
      ['b', gpu([91, 88], [1000, 1010])],
      ['c', gpu([30, 89], [5000, 1000])], // row 0: straggling and leaking
      ['d', gpu([50, 50], [9000, 9000])], // alone in its job
      ['e', gpu([0, 0], [480, 480])], // idle
    ]);
    const jobs = new Map([
      ['a', [1, 1]],
      ['b', [1, 1]],
      ['c', [1, 1]],
      ['d', [2, 2]],
      ['e', [-1, -1]],
    ]);
    const out = withPeerFields(fleet, jobs, FIELDS);
    const row = (d: string, t: number) => Array.from(out.get(d)!.values.subarray(t * 3, t * 3 + 3));
    // Row 0: job 1 medians are util 90 and fb 1000. Only c is below (60) and above (4000); the healthy peers read 0.
    expect(row('a', 0)).toEqual([90, 0, 0]);
    expect(row('b', 0)).toEqual([91, 0, 0]);
    expect(row('c', 0)).toEqual([30, 60, 4000]);
    // Row 1: medians util 89, fb 1000: b is 1 below and 10 above.
    expect(row('b', 1)).toEqual([88, 1, 10]);
    expect(row('a', 1)).toEqual([90, 0, 0]);
    expect(row('d', 0)).toEqual([50, 0, 0]);
    expect(row('e', 1)).toEqual([0, 0, 0]);
    expect(out.get('a')!.features).toEqual(FIELDS);
  });

  it('picks the faulty GPU of a two-GPU job by the side', () => {
    const fleet = new Map([
      ['a', gpu([90, 90], [1000, 1000])],
      ['b', gpu([40, 40], [3000, 3000])],
    ]);
    const out = withPeerFields(
      fleet,
      new Map([
        ['a', [7, 7]],
        ['b', [7, 7]],
      ]),
      FIELDS,
    );
    expect(Array.from(out.get('a')!.values.subarray(0, 3))).toEqual([90, 0, 0]);
    expect(Array.from(out.get('b')!.values.subarray(0, 3))).toEqual([40, 25, 1000]);
  });
});
