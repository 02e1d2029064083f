import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../training/datasets/random.js';
import { detectorFor, slidingDetector, thresholdDetector } from './detector.js';
import { dynamicThreshold, ewma, findAnomalies, type SlidingDetection } from './find-anomalies.js';

/** Orion's find_anomalies settings (training/detection/csv-detection.ts records the CSV default beside them). */
const ORION: SlidingDetection = {
  method: 'sliding-window',
  smoothingFraction: 0.01,
  smoothingMaxSpan: 200,
  windowFraction: 0.33,
  stepFraction: 0.1,
  threshold: 'sigma',
  k: 4,
  padding: 50,
  pruneMinPercent: 0.1,
  mergeGap: 50,
};

/** Low noise with bumps of the given height at the given rows (each `width` rows wide). */
function errors(n: number, bumps: readonly [number, number][], width = 5, seed = 1): Float64Array {
  const rand = mulberry32(seed);
  const e = Float64Array.from({ length: n }, () => 0.1 + 0.02 * rand());
  for (const [at, h] of bumps) for (let i = at; i < at + width; i++) e[i] += h;
  return e;
}

const settings: SlidingDetection = { ...ORION, smoothingFraction: 0, padding: 3, mergeGap: 0 };

describe('ewma', () => {
  it("matches pandas' adjusted exponentially weighted mean", () => {
    // pandas.Series([1, 2, 3]).ewm(span=3).mean() → 1, 1.666667, 2.428571
    const y = ewma([1, 2, 3], 3);
    expect(Array.from(y, (v) => Number(v.toFixed(6)))).toEqual([1, 1.666667, 2.428571]);
    expect(Array.from(ewma([4, 5], 1))).toEqual([4, 5]);
  });
});

describe('findAnomalies', () => {
  it('finds one interval per bump, with a start, an end and the peak', () => {
    const found = findAnomalies(
      errors(1000, [
        [300, 2],
        [700, 3],
      ]),
      settings,
    );
    expect(found.map((f) => [f.start, f.end])).toEqual([
      [297, 307],
      [697, 707],
    ]);
    expect(found[1].peak).toBeGreaterThan(3);
    expect(found[1].peakIndex).toBeGreaterThanOrEqual(700);
  });

  it('finds nothing in noise alone (a fixed top percentile would flag a share of it)', () => {
    expect(findAnomalies(errors(1000, []), settings)).toEqual([]);
  });

  it('prunes a peak within pruneMinPercent of the highest error left below the threshold, keeps a clear one', () => {
    // Flat errors; one large bump, one that barely crosses the threshold (≈ 0.48 with k = 1) and an unflagged point
    // just under it. The second bump stands only 6 % above that point: pruned as noise at the threshold's edge.
    const e = new Float64Array(1000).fill(0.1);
    e.fill(5.1, 300, 305);
    e.fill(0.5, 700, 705);
    e[900] = 0.47;
    const whole = { ...settings, k: 1, padding: 0, windowFraction: 1 };
    expect(findAnomalies(e, whole).map((f) => f.start)).toEqual([300]);
    expect(findAnomalies(e, { ...whole, pruneMinPercent: 0.05 }).map((f) => f.start)).toEqual([300, 700]);
  });

  it('merges hits closer than the merge gap into one interval', () => {
    const e = errors(1000, [
      [300, 3],
      [320, 3],
    ]);
    expect(findAnomalies(e, settings)).toHaveLength(2);
    expect(findAnomalies(e, { ...settings, mergeGap: 20 }).map((f) => [f.start, f.end])).toEqual([[297, 327]]);
  });

  it('with smoothing, a noisy sustained shift is one interval where raw errors fragment', () => {
    const rand = mulberry32(3);
    const e = errors(2000, []);
    // Every other row of the shift dips back to normal: above-threshold runs of one row.
    for (let i = 1500; i < 1600; i++) if (i % 4 < 2) e[i] += 0.5 + 0.2 * rand();
    const raw = findAnomalies(e, { ...settings, padding: 0 });
    expect(raw.length).toBeGreaterThan(3);
    const found = findAnomalies(e, { ...settings, padding: 0, smoothingFraction: 0.01 });
    expect(found).toHaveLength(1);
    expect(found[0].start).toBeGreaterThanOrEqual(1500);
  });

  it('dynamic threshold sits above the noise and below the highest bump', () => {
    const e = errors(1000, [
      [300, 2],
      [700, 3],
    ]);
    const t = dynamicThreshold(e);
    expect(t).toBeGreaterThan(0.13);
    expect(t).toBeLessThan(3);
  });
});

describe('detectorFor', () => {
  const base = { family: 'anomaly', threshold: { value: 0.5, method: 'pot', params: {} } } as const;
  const meta = (extra: object) => ({ ...base, ...extra }) as unknown as Parameters<typeof detectorFor>[0];

  it('uses the sliding detector when model.json records it, the stored threshold otherwise', () => {
    expect(detectorFor(meta({ detection: ORION }))?.kind).toBe('sliding-window');
    expect(detectorFor(meta({}))?.kind).toBe('threshold');
    expect(detectorFor(meta({ detection: ORION }), { threshold: 1 })?.kind).toBe('threshold');
  });

  it('flags alarms inside intervals for the sliding detector, above the threshold for the fixed one', () => {
    const e = errors(1000, [[300, 2]]);
    const a = slidingDetector(settings).alarms(e);
    expect(a.reduce((s, v) => s + v, 0)).toBe(11);
    expect(
      thresholdDetector(1)
        .alarms(e)
        .reduce((s, v) => s + v, 0),
    ).toBe(5);
  });
});
