/**
 * Front padding for entities observed for fewer rows than a window: a remaining-useful-life model answers for
 * every entity (a test engine cut after 31 cycles, scored by a 50-cycle window), so the first row is repeated in
 * front. `train`, `score` and `evaluate` pad alike and say which entities they padded.
 */
import type { Series } from '../../src/features/windows.js';
import type { EntitySeries } from './types.js';

/** `count` copies of the first row in front, one sample period apart, so a short entity fills one window. */
function padFront(s: Series, count: number, periodMs: number): Series {
  const width = s.features.length;
  const n = s.ts.length;
  const ts = new Float64Array(n + count);
  const values = new Float64Array((n + count) * width);
  for (let i = 0; i < count; i++) {
    ts[i] = s.ts[0] - (count - i) * periodMs;
    values.set(s.values.subarray(0, width), i * width);
  }
  ts.set(s.ts, count);
  values.set(s.values, count * width);
  return { ts, values, features: s.features };
}

/**
 * An entity padded in front to `window` rows when it is shorter (else itself): its labels are 0 and its
 * time-to-failure counts on over the padded rows, so the one window it fills ends on its last real row.
 */
function padEntity<E extends EntitySeries>(e: E, window: number, periodMs: number): E {
  const missing = window - e.series.ts.length;
  if (missing <= 0) return e;
  const series = padFront(e.series, missing, periodMs);
  return {
    ...e,
    series,
    labels: e.labels && Uint8Array.from([...new Array<number>(missing).fill(0), ...e.labels]),
    ttf: e.ttf && Float64Array.from([...Array.from({ length: missing }, (_, i) => e.ttf![0] + missing - i), ...e.ttf]),
  };
}

/** `entities` with the short ones padded (`padEntity`), and which were: entity → rows observed. */
export function padShort<E extends EntitySeries>(
  entities: readonly E[],
  window: number,
  periodMs: number,
): { entities: E[]; padded: Map<string, number> } {
  const padded = new Map<string, number>();
  for (const e of entities) if (e.series.ts.length < window) padded.set(e.entity, e.series.ts.length);
  return { entities: entities.map((e) => padEntity(e, window, periodMs)), padded };
}

/** The log or report line naming the entities that were padded (each with what it was, e.g. `7 (31 rows)`). */
export function paddedNote(entities: readonly string[], window: number): string {
  return `${entities.length} entities shorter than the ${window}-row window padded with their first row: ${entities.join(', ')}`;
}
