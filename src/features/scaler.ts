/**
 * Per-feature standard scaling. Fitted on the training split only; saved in model.json; applied identically by
 * training and serving. A constant feature gets scale 1 so it maps to 0 instead of dividing by zero.
 */

export interface ScalerParams {
  readonly kind: 'standard';
  readonly mean: readonly number[];
  readonly scale: readonly number[];
}

/** Fit on rows laid out row-major: `data[r * width + c]`. Non-finite values are ignored. */
export function fitScaler(data: ArrayLike<number>, width: number): ScalerParams {
  const sum = new Float64Array(width);
  const sumSq = new Float64Array(width);
  const count = new Float64Array(width);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) continue;
    const c = i % width;
    sum[c] += v;
    sumSq[c] += v * v;
    count[c] += 1;
  }
  const mean: number[] = [];
  const scale: number[] = [];
  for (let c = 0; c < width; c++) {
    const m = count[c] > 0 ? sum[c] / count[c] : 0;
    const variance = count[c] > 0 ? Math.max(0, sumSq[c] / count[c] - m * m) : 0;
    const sd = Math.sqrt(variance);
    mean.push(m);
    scale.push(sd > 1e-12 ? sd : 1);
  }
  return { kind: 'standard', mean, scale };
}

/** Scale row-major data into a new Float32Array (the dtype every model consumes). */
export function applyScaler(params: ScalerParams, data: ArrayLike<number>): Float32Array {
  const width = params.mean.length;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const c = i % width;
    out[i] = (data[i] - params.mean[c]) / params.scale[c];
  }
  return out;
}

/** Undo scaling (for a regression target or a reconstruction shown in raw units). */
export function invertScaler(params: ScalerParams, data: ArrayLike<number>): Float64Array {
  const width = params.mean.length;
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const c = i % width;
    out[i] = data[i] * params.scale[c] + params.mean[c];
  }
  return out;
}
