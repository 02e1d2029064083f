import { describe, expect, test } from 'vitest';
import { AppError } from '../../errors.js';
import { anomalyWindows } from '../../features/model-inputs.js';
import type { Series } from '../../features/windows.js';
import { concatWindows, type SourceSeries } from './window-source.js';

const meta = {
  features: ['gpu_temp_c'],
  scaler: { kind: 'standard' as const, mean: [0], scale: [1] },
  windowLength: 3,
  stride: 1,
};

function series(rows: number, base: number): Series {
  return {
    ts: Float64Array.from({ length: rows }, (_, i) => i * 10_000),
    values: Float64Array.from({ length: rows }, (_, i) => base + i),
    features: ['gpu_temp_c'],
  };
}

const cut = (s: Series) => anomalyWindows(s, meta);

describe('concatWindows', () => {
  test('concatenates every source in order and remembers where each window came from', () => {
    const sources: SourceSeries[] = [
      { device: 'n1/0', series: series(4, 100) },
      { device: 'n2/0', series: series(3, 200) },
    ];
    const b = concatWindows(sources, cut);
    expect([b.count, b.length, b.width]).toEqual([3, 3, 1]);
    expect(Array.from(b.data)).toEqual([100, 101, 102, 101, 102, 103, 200, 201, 202]);
    expect(b.refs).toEqual([
      { source: 0, endTs: 20_000 },
      { source: 0, endTs: 30_000 },
      { source: 1, endTs: 20_000 },
    ]);
  });

  test('refuses more than maxWindows before building them all', () => {
    const sources = Array.from({ length: 3 }, (_, i) => ({ device: `n${i}/0`, series: series(10, 0) }));
    expect(concatWindows(sources, cut, 24).count).toBe(24);
    const err = (() => {
      try {
        concatWindows(sources, cut, 20);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('VALIDATION_FAILED');
  });

  test('a device with fewer samples than a window is NO_DATA naming the device; an inline window is INVALID_WINDOW', () => {
    const device = (() => {
      try {
        concatWindows([{ device: 'n9/1', series: series(2, 0) }], cut);
      } catch (e) {
        return e as AppError;
      }
    })();
    expect([device?.code, device?.message]).toEqual(['NO_DATA', expect.stringContaining('n9/1')]);
    const inline = (() => {
      try {
        concatWindows([{ series: series(3, 0) }, { series: series(2, 0) }], cut);
      } catch (e) {
        return e as AppError;
      }
    })();
    expect([inline?.code, inline?.message]).toEqual(['INVALID_WINDOW', expect.stringMatching(/^window 1:/)]);
  });
});
