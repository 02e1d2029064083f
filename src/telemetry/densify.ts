/**
 * Turn SAMPLE BY rows (sorted by node, gpu, ts) into dense per-device series on one shared time grid.
 * QuestDB's keyed FILL(PREV) fills between a device's first and last bucket only; here buckets before the first
 * value take the first value (backward fill) and buckets after the last keep the last (forward fill), so every
 * series has exactly the same timestamps and no NaN unless a field was never reported in the range.
 * Series are keyed by device id (`node/gpu`) unless `key` says otherwise (the reader keys facility rows by rack).
 */
import type { Series } from '../features/windows.js';
import { deviceId } from './catalogue.js';

export interface DensifyOptions {
  readonly from: number;
  readonly to: number;
  readonly periodMs: number;
  readonly fields: readonly string[];
  /** Keep only these keys (null: all). */
  readonly wanted: ReadonlySet<string> | null;
  /** A row's series key; rows must be sorted by it, then ts. Default: the device id of `node` and `gpu`. */
  readonly key?: (row: SampleRow) => string;
}

export type SampleRow = Record<string, number | string | null>;

const deviceKey = (r: SampleRow): string => deviceId(String(r.node), String(r.gpu));

export function densify(rows: readonly SampleRow[], o: DensifyOptions): Map<string, Series> {
  const n = Math.ceil((o.to - o.from) / o.periodMs);
  const width = o.fields.length;
  const ts = new Float64Array(n);
  for (let i = 0; i < n; i++) ts[i] = o.from + i * o.periodMs;

  const out = new Map<string, Series>();
  let current: { id: string; values: Float64Array } | null = null;
  const finish = () => {
    if (current) {
      fillEdges(current.values, n, width);
      out.set(current.id, { ts, values: current.values, features: o.fields });
    }
  };
  const key = o.key ?? deviceKey;
  for (const r of rows) {
    const id = key(r);
    if (o.wanted && !o.wanted.has(id)) continue;
    if (!current || current.id !== id) {
      finish();
      current = { id, values: new Float64Array(n * width).fill(Number.NaN) };
    }
    const i = Math.round((Number(r.ts) - o.from) / o.periodMs);
    if (i < 0 || i >= n) continue;
    for (let f = 0; f < width; f++) {
      const v = r[o.fields[f]];
      current.values[i * width + f] = v === null || v === undefined ? Number.NaN : Number(v);
    }
  }
  finish();
  return out;
}

/** Forward-fill every column, then backward-fill its leading gap. */
export function fillEdges(values: Float64Array, n: number, width: number): void {
  for (let f = 0; f < width; f++) {
    let last = Number.NaN;
    let firstSeen = -1;
    for (let i = 0; i < n; i++) {
      const k = i * width + f;
      if (Number.isNaN(values[k])) values[k] = last;
      else {
        last = values[k];
        if (firstSeen < 0) firstSeen = i;
      }
    }
    if (firstSeen > 0) for (let i = 0; i < firstSeen; i++) values[i * width + f] = values[firstSeen * width + f];
  }
}
