/**
 * Derived features: a feature name is either a raw telemetry field (`gpu_temp_c`) or `<op>:<field>`:
 *   - `delta:<counter>`  per-step increase of a monotonic counter (ECC errors, NVLink CRC, PCIe replays). Raw
 *                        counters only grow, so their level says little; their rate is the symptom. A negative step
 *                        (driver reload resets the counter) counts as 0. The first row has no predecessor: 0.
 *   - `log:<field>`      natural log of a positive quantity (job sizes, batch sizes), clamped at 1e-9.
 *   - `bit<n>:<field>`   bit n (0-31) of a bitmask field, 0 or 1: clock_event_reasons bit 5/6 = thermal
 *                        throttling, bit 3 = HW slowdown, bit 7 = power brake (DCGM clock throttle reasons).
 *   - `ratio:<a>/<b>`    a / b, 0 where b is 0: framebuffer in use as a share of the GPU's framebuffer, so GPUs
 *                        with 40 and 141 GB read alike and a leak filling memory shows as a share near 1.
 * `below-peers:` / `above-peers:` (peers.ts) and `rack:` (rack-fields.ts) are not derived here: they need the job's
 * other GPUs or the rack's facility sensors, so fleet reads provide them as columns.
 * Training and serving both go through `deriveSeries`, so a model's `features` list is all either needs.
 */
import { AppError } from '../errors.js';
import { isPeerField } from './peers.js';
import { isRackField } from './rack-fields.js';
import type { Series } from './windows.js';

export type FeatureOp = 'delta' | 'log' | 'bit' | 'ratio';

export interface ParsedFeature {
  readonly name: string;
  readonly op?: FeatureOp;
  /** The raw field it is computed from. */
  readonly field: string;
  /** `bit` only: which bit. */
  readonly bit?: number;
  /** `ratio` only: the denominator field. */
  readonly divisor?: string;
}

export function parseFeature(name: string): ParsedFeature {
  const i = name.indexOf(':');
  if (i < 0 || isPeerField(name) || isRackField(name)) return { name, field: name };
  const op = name.slice(0, i);
  const field = name.slice(i + 1);
  if (op === 'delta' || op === 'log') return { name, op, field };
  if (op === 'ratio') {
    const [a, b, ...rest] = field.split('/');
    if (!a || !b || rest.length > 0)
      throw new AppError('VALIDATION_FAILED', `ratio feature "${name}" must be ratio:<field>/<field>`);
    return { name, op, field: a, divisor: b };
  }
  const bit = /^bit(\d{1,2})$/.exec(op);
  if (bit && Number(bit[1]) < 32) return { name, op: 'bit', field, bit: Number(bit[1]) };
  throw new AppError('VALIDATION_FAILED', `unknown feature operator "${op}" in "${name}"`);
}

interface DerivePlan {
  readonly parsed: readonly ParsedFeature[];
  /** Per output column: the source column of its field, and of its divisor (-1: none). */
  readonly sources: readonly number[];
  readonly divisors: readonly number[];
}

/**
 * How to derive `features` from columns `columns`, worked out once per pair of lists: serving derives every window
 * of every request from the same two lists (its model's features, the request's fields), and the lookups and
 * checks cost more than the copy itself at window size.
 */
const plans = new WeakMap<readonly string[], WeakMap<readonly string[], DerivePlan>>();

function planFor(columns: readonly string[], features: readonly string[]): DerivePlan {
  let byFeatures = plans.get(columns);
  if (!byFeatures) {
    byFeatures = new WeakMap();
    plans.set(columns, byFeatures);
  }
  let plan = byFeatures.get(features);
  if (plan) return plan;
  const index = new Map(columns.map((f, i) => [f, i]));
  const parsed = features.map(parseFeature);
  const missing = parsed.flatMap((p) => [p.field, p.divisor ?? p.field]).filter((f) => !index.has(f));
  if (missing.length > 0) {
    throw new AppError('VALIDATION_FAILED', `series lacks field(s) ${[...new Set(missing)].join(', ')}`, {
      missing,
      available: columns,
    });
  }
  plan = {
    parsed,
    sources: parsed.map((p) => index.get(p.field)!),
    divisors: parsed.map((p) => (p.divisor === undefined ? -1 : index.get(p.divisor)!)),
  };
  byFeatures.set(features, plan);
  return plan;
}

/** The raw fields to read (from QuestDB or a request) to compute `features`, without duplicates, in order. */
export function rawFields(features: readonly string[]): string[] {
  return [
    ...new Set(
      features.flatMap((f) => {
        const p = parseFeature(f);
        return p.divisor ? [p.field, p.divisor] : [p.field];
      }),
    ),
  ];
}

export function logValue(v: number): number {
  return Math.log(Math.max(v, 1e-9));
}

/**
 * A new series with exactly `features` as columns, in order, computed from the raw columns of `series`.
 * Deltas are taken over the whole series, so pass one extra row before the first window you score.
 */
export function deriveSeries(series: Series, features: readonly string[]): Series {
  const width = series.features.length;
  const rows = series.ts.length;
  const { parsed, sources, divisors } = planFor(series.features, features);
  const outWidth = parsed.length;
  const values = new Float64Array(rows * outWidth);
  const raw = series.values;
  parsed.forEach((p, c) => {
    const src = sources[c];
    if (p.op === undefined) {
      // A raw field as it is: the common case, a plain copy.
      for (let t = 0; t < rows; t++) values[t * outWidth + c] = raw[t * width + src];
      return;
    }
    const div = divisors[c];
    for (let t = 0; t < rows; t++) {
      const v = raw[t * width + src];
      let out = v;
      if (p.op === 'delta') out = t === 0 ? 0 : Math.max(0, v - raw[(t - 1) * width + src]);
      else if (p.op === 'log') out = logValue(v);
      else if (p.op === 'bit') out = Number.isFinite(v) ? Math.floor(v / 2 ** (p.bit ?? 0)) % 2 : v;
      else if (p.op === 'ratio') {
        const d = raw[t * width + div];
        out = d === 0 ? 0 : v / d;
      }
      values[t * outWidth + c] = out;
    }
  });
  return { ts: series.ts, values, features: [...features] };
}
