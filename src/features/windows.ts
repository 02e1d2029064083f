/**
 * Sliding windows over a dense, aligned multivariate series. Training and serving both cut windows here.
 * A series is row-major Float64Array `values[t * width + f]` with one timestamp per row.
 */
import { AppError } from '../errors.js';

export interface Series {
  /** Epoch ms per row, ascending, evenly spaced after SAMPLE BY ... FILL. */
  readonly ts: Float64Array;
  /** Row-major values, `ts.length * features.length`. */
  readonly values: Float64Array;
  readonly features: readonly string[];
}

export interface Windows {
  /** `count * length * width` row-major Float32 (already scaled when a scaler was given). */
  readonly data: Float32Array;
  readonly count: number;
  readonly length: number;
  readonly width: number;
  /** Timestamp of the last row of each window (the moment a score refers to). */
  readonly endTs: Float64Array;
  /** Row index in the series of each window's last row. */
  readonly endIndex: Int32Array;
}

/**
 * Cut windows of `length` rows every `stride` rows, aligned so the LAST window ends on the last row
 * (serving scores the most recent window; training sees the same alignment).
 */
export function slidingWindows(
  series: Series,
  length: number,
  stride = 1,
  transform?: (row: Float64Array) => ArrayLike<number>,
): Windows {
  const width = series.features.length;
  const rows = series.ts.length;
  if (length < 1 || stride < 1)
    throw new AppError('INVALID_WINDOW', `window length and stride must be >= 1 (got ${length}, ${stride})`);
  if (rows < length) {
    throw new AppError('INVALID_WINDOW', `series has ${rows} rows, fewer than the window length ${length}`, {
      rows,
      length,
    });
  }
  const count = Math.floor((rows - length) / stride) + 1;
  const first = rows - length - (count - 1) * stride;
  const data = new Float32Array(count * length * width);
  const endTs = new Float64Array(count);
  const endIndex = new Int32Array(count);
  const row = new Float64Array(width);
  for (let w = 0; w < count; w++) {
    const start = first + w * stride;
    for (let t = 0; t < length; t++) {
      const src = (start + t) * width;
      const dst = (w * length + t) * width;
      if (!transform) {
        for (let f = 0; f < width; f++) data[dst + f] = series.values[src + f];
        continue;
      }
      for (let f = 0; f < width; f++) row[f] = series.values[src + f];
      data.set(transform(row), dst);
    }
    endIndex[w] = start + length - 1;
    endTs[w] = series.ts[start + length - 1];
  }
  return { data, count, length, width, endTs, endIndex };
}

/**
 * The features holding a non-finite value in rows [from, end) of `series`. A fleet read leaves NaN where nothing was
 * reported (e.g. a rack without facility sensors for `rack:` fields); such a window cannot be scored, and callers
 * say so by name instead of scoring NaN.
 */
export function nonFiniteFields(series: Series, from = 0): string[] {
  const width = series.features.length;
  const bad = new Set<string>();
  for (let i = Math.max(0, from) * width; i < series.values.length; i++)
    if (!Number.isFinite(series.values[i])) bad.add(series.features[i % width]);
  return [...bad];
}
