/**
 * GET /v1/telemetry/gpu/series: one GPU's telemetry over a range, bucketed, with its anomaly score and fault
 * probability and their thresholds on the same grid (reader role). The console's drill-down charts read it; any
 * other client may. The work is bounded before QuestDB is read: at most MAX_SERIES_POINTS buckets, and the raw
 * samples the buckets cover × the fields within API_MAX_READ_VALUES, as for the scoring routes.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../errors.js';
import { GPU_METRICS } from '../../telemetry/catalogue.js';
import { gpuTimeseries } from '../../telemetry/queries/gpu-timeseries.js';
import { checkReadBound } from '../inputs/window-source.js';

/** Buckets one answer may hold: more than any chart can show. */
export const MAX_SERIES_POINTS = 5_000;
/** The telemetry's nominal sample period (DCGM's and the simulator's 10 s): what the read bound counts in. */
const RAW_SAMPLE_MS = 10_000;
/** Bucket widths chosen when the caller gives none: the finest that keeps the answer near TARGET_POINTS. */
const NICE_STEPS_S = [10, 30, 60, 300, 900, 3_600, 21_600, 86_400];
const TARGET_POINTS = 720;
export const DEFAULT_SERIES_FIELDS = [
  'gpu_temp_c',
  'mem_temp_c',
  'power_w',
  'power_limit_w',
  'gpu_util',
  'sm_clock_mhz',
  'mem_clock_mhz',
  'ecc_sbe_volatile',
  'ecc_dbe_volatile',
  'xid_count',
  'xid_last',
];
const FIELD_NAMES = new Set(GPU_METRICS.fields.map((f) => f.name));
const Values = Type.Array(Type.Union([Type.Number(), Type.Null()]));

function stepFor(spanMs: number, stepS: number | undefined): number {
  if (stepS !== undefined) return stepS * 1000;
  const nice = NICE_STEPS_S.find((s) => spanMs / (s * 1000) <= TARGET_POINTS);
  return (nice ?? NICE_STEPS_S[NICE_STEPS_S.length - 1]) * 1000;
}

function fieldsOf(raw: string | undefined): string[] {
  if (raw === undefined) return DEFAULT_SERIES_FIELDS;
  const fields = [...new Set(raw.split(',').map((f) => f.trim()))].filter(Boolean);
  const unknown = fields.filter((f) => !FIELD_NAMES.has(f));
  if (fields.length === 0 || unknown.length > 0)
    throw new AppError('VALIDATION_FAILED', `fields: unknown gpu_metrics field(s): ${unknown.join(', ') || '(none)'}`, {
      field: 'fields',
      unknown,
    });
  return fields;
}

export default async function gpuSeriesRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/v1/telemetry/gpu/series',
    {
      config: { role: 'reader' },
      schema: {
        tags: ['telemetry'],
        description:
          "One GPU's telemetry over [from, to), in buckets (gauges: mean; counters: max; `xid_count`: sum), with " +
          'the highest anomaly score and fault probability per bucket and the thresholds they were judged against. ' +
          '`ts` are the bucket starts in epoch ms; a value is null where nothing was recorded. Without `stepS` the ' +
          `bucket is the finest of ${NICE_STEPS_S.join(', ')} s that gives at most ${TARGET_POINTS} buckets. ` +
          `At most ${MAX_SERIES_POINTS} buckets, and the raw 10 s samples × fields within API_MAX_READ_VALUES.`,
        querystring: Type.Object({
          device: Type.String({
            pattern: '^[^/\\u0000-\\u001f]{1,128}/[^/\\u0000-\\u001f]{1,128}$',
            description: '`node/gpu`',
          }),
          from: Type.String({ format: 'date-time' }),
          to: Type.Optional(Type.String({ format: 'date-time', description: 'default: now' })),
          stepS: Type.Optional(Type.Integer({ minimum: 10, maximum: 86_400, description: 'bucket width, seconds' })),
          fields: Type.Optional(
            Type.String({
              maxLength: 1024,
              description: `comma-separated gpu_metrics fields (default: ${DEFAULT_SERIES_FIELDS.join(',')})`,
            }),
          ),
        }),
        response: {
          200: Type.Object({
            device: Type.String(),
            from: Type.String({ format: 'date-time' }),
            to: Type.String({ format: 'date-time' }),
            stepMs: Type.Integer(),
            ts: Type.Array(Type.Integer(), { description: 'bucket starts, epoch ms' }),
            fields: Type.Record(Type.String(), Values),
            anomaly: Type.Object({ score: Values, threshold: Values }),
            fault: Type.Object({ probability: Values, threshold: Values }),
          }),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const from = Date.parse(q.from);
      const to = q.to ? Date.parse(q.to) : Date.now();
      if (!(to > from)) throw new AppError('VALIDATION_FAILED', 'to must be after from', { field: 'to' });
      const stepMs = stepFor(to - from, q.stepS);
      const buckets = Math.ceil((to - Math.floor(from / stepMs) * stepMs) / stepMs);
      if (buckets > MAX_SERIES_POINTS)
        throw new AppError(
          'VALIDATION_FAILED',
          `the range holds ${buckets} buckets of ${stepMs / 1000} s, more than ${MAX_SERIES_POINTS}; widen stepS or narrow the range`,
          { field: 'stepS', buckets, maxPoints: MAX_SERIES_POINTS },
        );
      const fields = fieldsOf(q.fields);
      // The two score series count as fields: QuestDB reads their rows too.
      checkReadBound(1, from, to, fields.length + 2, RAW_SAMPLE_MS, app.config.api.maxReadValues);
      const cut = q.device.lastIndexOf('/');
      const series = await gpuTimeseries(app.reader, {
        node: q.device.slice(0, cut),
        gpu: q.device.slice(cut + 1),
        from,
        to,
        stepMs,
        fields,
      });
      return {
        device: q.device,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        stepMs,
        ...series,
      };
    },
  );
}
