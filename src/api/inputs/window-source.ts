/**
 * Where a scoring request's series come from: inline windows (checked by inference/window-requests) or QuestDB
 * (`app.reader.gpuSeries` over [from, to) for named devices). Either way the result is raw series; model inputs are
 * then built by src/features only.
 */
import { AppError } from '../../errors.js';
import { rawFields } from '../../features/derived.js';
import type { ModelMetadata } from '../../features/model-metadata.js';
import { nonFiniteFields, type Series, type Windows } from '../../features/windows.js';
import {
  checkFields,
  inputFieldsOf,
  MAX_WINDOWS,
  type PackedWindows,
  seriesFromPacked,
  seriesFromWindows,
} from '../../inference/window-requests.js';
import type { TelemetryReader } from '../../telemetry/reader.js';

export interface WindowSourceBody {
  readonly windows?: ReadonlyArray<ReadonlyArray<ReadonlyArray<number>>>;
  /** Inline windows in the binary format (api/inputs/binary-windows.ts). */
  readonly packed?: PackedWindows;
  readonly fields?: readonly string[];
  readonly devices?: readonly string[];
  readonly from?: number | string;
  readonly to?: number | string;
}

export interface SourceSeries {
  /** Set for QuestDB series. */
  readonly device?: string;
  readonly series: Series;
}

const MAX_DATE_MS = 8.64e15;

function parseTime(field: 'from' | 'to', v: number | string | undefined): number {
  if (v === undefined) throw new AppError('VALIDATION_FAILED', `${field} is required with devices`, { field });
  const t = typeof v === 'number' ? v : /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  // Beyond ±8.64e15 ms a Date is invalid: refused here rather than failing later as a RangeError.
  if (!Number.isFinite(t) || Math.abs(t) > MAX_DATE_MS)
    throw new AppError('VALIDATION_FAILED', `${field}: "${v}" is not epoch ms or ISO-8601`, { field });
  return t;
}

export interface ReadLimits {
  /** Values one request may read: devices × samples in [from, to) × fields (API_MAX_READ_VALUES). */
  readonly maxReadValues: number;
}

/**
 * Refuse, before any query, a read larger than the limit: the work of one request is bounded by what it asks
 * for, not found out after QuestDB has sent it all (200 devices over the longest range once took 20 s and 8.9 GB).
 */
export function checkReadBound(
  devices: number,
  from: number,
  to: number,
  fields: number,
  samplePeriodMs: number,
  maxReadValues: number,
): void {
  const start = Math.floor(from / samplePeriodMs) * samplePeriodMs;
  const samples = Math.max(0, Math.ceil((to - start) / samplePeriodMs));
  const values = devices * samples * fields;
  if (values <= maxReadValues) return;
  throw new AppError(
    'VALIDATION_FAILED',
    `the request would read ${devices} device(s) × ${samples} samples × ${fields} fields = ${values} values, ` +
      `more than API_MAX_READ_VALUES (${maxReadValues}); narrow the range or send fewer devices`,
    { limit: 'API_MAX_READ_VALUES', maxReadValues, values, devices, samples, fields },
  );
}

/**
 * Raw series for `models` (the first one decides the inline field order and the sample period). Inline windows
 * must carry every raw field of the first model; further models use what is there.
 */
export async function seriesForRequest(
  reader: TelemetryReader,
  body: WindowSourceBody,
  models: readonly ModelMetadata[],
  limits: ReadLimits,
): Promise<SourceSeries[]> {
  const meta = models[0];
  const inline = body.windows !== undefined || body.packed !== undefined;
  if (inline === (body.devices !== undefined)) {
    throw new AppError('VALIDATION_FAILED', 'send exactly one of windows (inline telemetry) or devices with from/to');
  }
  if (inline) {
    const fields = body.fields ?? inputFieldsOf(meta);
    if (body.fields) checkFields(fields, meta);
    const series = body.packed
      ? seriesFromPacked(body.packed, fields, meta)
      : seriesFromWindows(body.windows!, fields, meta);
    return series.map((s) => ({ series: s }));
  }
  const devices = [...new Set(body.devices)];
  const from = parseTime('from', body.from);
  const to = parseTime('to', body.to);
  const fields = [...new Set(models.flatMap((m) => rawFields(m.features)))];
  checkReadBound(devices.length, from, to, fields.length, meta.samplePeriodMs, limits.maxReadValues);
  const found = await reader.gpuSeries({ from, to, fields, samplePeriodMs: meta.samplePeriodMs, devices });
  const missing = devices.filter((d) => !found.has(d));
  if (missing.length > 0) {
    const known = await reader.knownDevices(missing);
    const unknown = missing.filter((d) => !known.has(d));
    if (unknown.length > 0)
      throw new AppError('UNKNOWN_DEVICE', `unknown device(s): ${unknown.join(', ')}`, { devices: unknown });
    throw new AppError(
      'NO_DATA',
      `no telemetry in [${new Date(from).toISOString()}, ${new Date(to).toISOString()}) for ${missing.join(', ')}`,
      {
        devices: missing,
      },
    );
  }
  for (const device of devices) {
    // Nothing reported in the range for an input (e.g. `rack:` fields of a rack without facility sensors).
    const lacking = nonFiniteFields(found.get(device)!);
    if (lacking.length > 0)
      throw new AppError('NO_DATA', `no ${lacking.join(', ')} for ${device} in the range`, { device, fields: lacking });
  }
  return devices.map((device) => ({ device, series: found.get(device)! }));
}

export interface WindowBatch {
  readonly data: Float32Array;
  readonly count: number;
  readonly length: number;
  readonly width: number;
  /** Per window: which source it came from and when it ends. */
  readonly refs: ReadonlyArray<{ readonly source: number; readonly endTs: number }>;
}

/**
 * Cut windows from every source with `cut` (a src/features function) and concatenate them into one batch of at
 * most `maxWindows` (a long range over many devices is refused before it is all in memory).
 */
export function concatWindows(
  sources: readonly SourceSeries[],
  cut: (s: Series) => Windows,
  maxWindows = MAX_WINDOWS,
): WindowBatch {
  let total = 0;
  const parts = sources.map((s, i) => {
    try {
      const w = cut(s.series);
      total += w.count;
      if (total > maxWindows) {
        throw new AppError(
          'VALIDATION_FAILED',
          `the request yields more than ${maxWindows} windows; narrow the range, ask for the latest window only, or send fewer devices`,
          { maxWindows },
        );
      }
      return w;
    } catch (err) {
      if (err instanceof AppError && err.code === 'INVALID_WINDOW' && s.device) {
        throw new AppError('NO_DATA', `device ${s.device}: ${err.message}`, {
          device: s.device,
          ...(err.details as object),
        });
      }
      if (err instanceof AppError && err.code === 'INVALID_WINDOW')
        throw new AppError('INVALID_WINDOW', `window ${i}: ${err.message}`, err.details);
      throw err;
    }
  });
  const count = parts.reduce((a, p) => a + p.count, 0);
  const { length, width } = parts[0];
  const data = new Float32Array(count * length * width);
  const refs: Array<{ source: number; endTs: number }> = [];
  let offset = 0;
  parts.forEach((p, i) => {
    data.set(p.data, offset);
    offset += p.data.length;
    for (let w = 0; w < p.count; w++) refs.push({ source: i, endTs: p.endTs[w] });
  });
  return { data, count, length, width, refs };
}
