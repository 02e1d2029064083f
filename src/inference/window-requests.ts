/**
 * Inline windows from an API request → series that src/features turns into model inputs. A window is raw
 * telemetry: rows (oldest first) of values in the order of `fields` (default: the raw fields the model's features
 * are computed from). Shapes and values are checked here with messages that name the window, row and field.
 */
import { AppError } from '../errors.js';
import { featureInputs } from '../features/model-inputs.js';
import type { ModelMetadata } from '../features/model-metadata.js';
import type { Series } from '../features/windows.js';

/** Raw fields a caller sends (in this order) for a model; a one-hot `category=value` feature needs `category`. */
export const inputFieldsOf = (meta: Pick<ModelMetadata, 'features'>): string[] => featureInputs(meta.features);

/** Windows per request; the body limit bounds it too. */
export const MAX_WINDOWS = 4_096;

/**
 * Check every window is `[rows >= windowLength][fields.length]` of finite numbers and make each a Series (ts are
 * synthetic, one sample period apart, ending at `endTs`). Extra leading rows serve `delta:` features as history.
 */
export function seriesFromWindows(
  windows: ReadonlyArray<ReadonlyArray<ReadonlyArray<unknown>>>,
  fields: readonly string[],
  meta: Pick<ModelMetadata, 'windowLength' | 'samplePeriodMs' | 'name' | 'version'>,
  endTs = 0,
): Series[] {
  const T = meta.windowLength;
  const F = fields.length;
  const shape = `[${T}, ${F}] (${T} rows of ${F} values: ${fields.join(', ')})`;
  if (windows.length === 0) throw new AppError('EMPTY_BATCH', 'windows must hold at least one window');
  if (windows.length > MAX_WINDOWS) {
    throw new AppError('INVALID_WINDOW', `at most ${MAX_WINDOWS} windows per request, got ${windows.length}`);
  }
  return windows.map((rows, w) => {
    if (!Array.isArray(rows) || rows.length < T) {
      throw new AppError(
        'INVALID_WINDOW',
        `window ${w} has ${Array.isArray(rows) ? rows.length : 0} rows; model ${meta.name}@${meta.version} expects ${shape}`,
        {
          window: w,
          expected: [T, F],
          got: [Array.isArray(rows) ? rows.length : 0, F],
        },
      );
    }
    const values = new Float64Array(rows.length * F);
    const ts = new Float64Array(rows.length);
    rows.forEach((row, t) => {
      if (!Array.isArray(row) || row.length !== F) {
        const got = Array.isArray(row) ? row.length : 0;
        throw new AppError(
          'INVALID_WINDOW',
          `window ${w} row ${t} has ${got} values; model ${meta.name}@${meta.version} expects ${shape}`,
          {
            window: w,
            row: t,
            expected: [T, F],
            got: [rows.length, got],
          },
        );
      }
      for (let f = 0; f < F; f++) {
        const v = row[f];
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new AppError(
            'INVALID_WINDOW',
            `window ${w} row ${t} field ${fields[f]}: ${JSON.stringify(v) ?? String(v)} is not a finite number`,
            {
              window: w,
              row: t,
              field: fields[f],
            },
          );
        }
        values[t * F + f] = v;
      }
      ts[t] = endTs - (rows.length - 1 - t) * meta.samplePeriodMs;
    });
    return { ts, values, features: fields };
  });
}

/**
 * Windows sent as one block of Float32 values (the binary request format): `data[w][t][f]` row-major, with its
 * shape `[N, T, F]` said apart (a header). Every window has the same `T >= windowLength` rows.
 */
export interface PackedWindows {
  readonly data: Float32Array;
  readonly shape: readonly [number, number, number];
}

/**
 * The packed form of `seriesFromWindows`: the same checks, with the same messages (shape against the model,
 * length against the shape, finite values naming window, row and field), without a number ever being parsed.
 */
export function seriesFromPacked(
  packed: PackedWindows,
  fields: readonly string[],
  meta: Pick<ModelMetadata, 'windowLength' | 'samplePeriodMs' | 'name' | 'version'>,
  endTs = 0,
): Series[] {
  const [N, T, F] = packed.shape;
  const need = meta.windowLength;
  const model = `model ${meta.name}@${meta.version} expects [${need}, ${fields.length}] per window (at least ${need} rows of ${fields.length} values: ${fields.join(', ')})`;
  if (N === 0) throw new AppError('EMPTY_BATCH', 'the window shape holds no window (N = 0)');
  if (N > MAX_WINDOWS) throw new AppError('INVALID_WINDOW', `at most ${MAX_WINDOWS} windows per request, got ${N}`);
  if (T < need || F !== fields.length) {
    throw new AppError('INVALID_WINDOW', `window shape [${N}, ${T}, ${F}]: ${model}`, {
      expected: [need, fields.length],
      got: [T, F],
    });
  }
  if (packed.data.length !== N * T * F) {
    throw new AppError(
      'INVALID_WINDOW',
      `the body holds ${packed.data.length} float32 values; window shape [${N}, ${T}, ${F}] needs ${N * T * F} (${N * T * F * 4} bytes)`,
      { shape: [N, T, F], values: packed.data.length },
    );
  }
  const out: Series[] = [];
  for (let w = 0; w < N; w++) {
    // The typed-array constructor converts natively; Float64Array.from iterates (3x slower here).
    const values = new Float64Array(packed.data.subarray(w * T * F, (w + 1) * T * F));
    for (let i = 0; i < values.length; i++) {
      if (Number.isFinite(values[i])) continue;
      const t = Math.floor(i / F);
      throw new AppError(
        'INVALID_WINDOW',
        `window ${w} row ${t} field ${fields[i % F]}: ${values[i]} is not a finite number`,
        { window: w, row: t, field: fields[i % F] },
      );
    }
    const ts = new Float64Array(T);
    for (let t = 0; t < T; t++) ts[t] = endTs - (T - 1 - t) * meta.samplePeriodMs;
    out.push({ ts, values, features: fields });
  }
  return out;
}

/** Check a caller-supplied `fields` list covers what the model needs. */
export function checkFields(
  fields: readonly string[],
  meta: Pick<ModelMetadata, 'features' | 'name' | 'version'>,
): void {
  const need = inputFieldsOf(meta);
  const missing = need.filter((f) => !fields.includes(f));
  if (missing.length > 0 || new Set(fields).size !== fields.length) {
    throw new AppError(
      'VALIDATION_FAILED',
      `fields must list each of ${need.join(', ')} once for model ${meta.name}@${meta.version}`,
      {
        missing,
        expected: need,
      },
    );
  }
}
