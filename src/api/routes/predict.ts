/**
 * POST /v1/predict/fault: per device (or inline window), the probability of a fault within the fault model's
 * horizon, and the predicted time to failure when a ttf model is served.
 * POST /v1/predict/throughput: predicted job throughput for a batch of what-if configurations.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../errors.js';
import { latestWindow, throughputFromOutput, throughputRows } from '../../features/model-inputs.js';
import type { ModelLease } from '../../inference/inference-types.js';
import {
  faultAlarmThreshold,
  faultOutputs,
  horizonMinutes,
  primaryOutput,
  requireFinite,
  timeToFailure,
} from '../../inference/model-outputs.js';
import type { PackedWindows } from '../../inference/window-requests.js';
import {
  acceptBinaryWindows,
  BINARY_HEADERS,
  BINARY_WINDOWS,
  binaryRequest,
  isBinary,
  jsonOrBinaryBody,
  requireBody,
} from '../inputs/binary-windows.js';
import { concatWindows, type SourceSeries, seriesForRequest } from '../inputs/window-source.js';
import { FaultRequest, FaultResponse, ThroughputRequest, ThroughputResponse } from '../schemas/score.js';
import { requireFamily } from './score.js';

interface TtfPart {
  fractions: Float32Array;
  input: Float32Array;
  lease: ModelLease;
}

/** TTF on the same sources; a missing ttf model or missing inline fields only drops the ttf part, with a note. */
async function runTtf(lease: ModelLease, sources: readonly SourceSeries[]): Promise<TtfPart> {
  const batch = concatWindows(sources, (s) => latestWindow(s, lease.metadata));
  const r = await lease.run(batch.data, [batch.count, batch.length, batch.width]);
  return { fractions: primaryOutput(lease.metadata, r.outputs).data, input: batch.data, lease };
}

/** A JSON body as it is, or a binary one as the same request with `packed` windows. */
function faultBody(request: FastifyRequest): FaultRequest & { packed?: PackedWindows } {
  const body = requireBody(request.body as FaultRequest | Buffer | undefined);
  if (!isBinary(body)) return body;
  const ttf = request.headers['x-ttf'];
  if (ttf !== undefined && ttf !== 'true' && ttf !== 'false')
    throw new AppError('VALIDATION_FAILED', 'x-ttf must be true or false', { header: 'x-ttf' });
  return { ...binaryRequest(request, body), ...(ttf === 'false' ? { ttf: false } : {}) };
}

export default async function predictRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  acceptBinaryWindows(app);

  app.post(
    '/v1/predict/fault',
    {
      config: { role: 'reader', audit: false, errorStatuses: [404] },
      schema: {
        tags: ['scoring'],
        description:
          'Probability of a fault within the fault model horizon (`horizonMinutes`), per inline window or per device ' +
          "(its latest window in [from, to)), the alarm (probability strictly above `alarmThreshold`, the model's own " +
          "threshold, with its source) and predicted minutes to failure, clamped to the ttf model's cap, when a ttf " +
          'model is served. Bulk clients may send the windows as ' +
          `\`${BINARY_WINDOWS}\` instead: raw little-endian float32, \`windows[w][t][f]\` row-major, with the shape in ` +
          '`x-window-shape: N,T,F` and the options in headers (`x-window-fields`, `x-model`, `x-model-version`, ' +
          '`x-ttf`); the same checks apply, and the body length must match the shape.',
        headers: Type.Object({
          ...BINARY_HEADERS,
          'x-ttf': Type.Optional(Type.String({ description: `${BINARY_WINDOWS} bodies: as \`ttf\` in JSON` })),
        }),
        body: jsonOrBinaryBody(FaultRequest),
        response: { 200: FaultResponse },
      },
    },
    async (request) => {
      const body = faultBody(request);
      const name = body.model ?? app.inference.modelFor('fault').name;
      const ttfName = body.ttf === false ? undefined : app.inference.models().find((m) => m.family === 'ttf')?.name;
      return app.inference.withModel(name, { version: body.version }, async (fault) => {
        const meta = fault.metadata;
        requireFamily(meta, 'fault', '/v1/predict/fault');
        const horizon = horizonMinutes(meta);
        const predict = async (ttfLease?: ModelLease) => {
          const sources = await seriesForRequest(
            app.reader,
            body,
            ttfLease ? [meta, ttfLease.metadata] : [meta],
            app.config.api,
          );
          const batch = concatWindows(sources, (s) => latestWindow(s, meta));
          const [r, ttf] = await Promise.all([
            fault.run(batch.data, [batch.count, batch.length, batch.width]),
            ttfLease
              ? runTtf(ttfLease, sources).catch((err: unknown) => {
                  if (err instanceof AppError && err.status < 500) return err.message;
                  throw err;
                })
              : Promise.resolve(ttfName ? undefined : 'no ttf model is served'),
          ]);
          const raw = primaryOutput(meta, r.outputs).data;
          requireFinite('fault probability', raw, meta, batch.data);
          const faults = faultOutputs(meta, raw);
          const ttfPart = typeof ttf === 'object' ? ttf : undefined;
          if (ttfPart) requireFinite('time to failure', ttfPart.fractions, ttfPart.lease.metadata, ttfPart.input);
          return {
            model: r.model,
            version: r.version,
            executionProvider: r.executionProvider,
            horizonMinutes: horizon,
            alarmThreshold: faultAlarmThreshold(meta),
            ttfModel: ttfPart
              ? {
                  model: ttfPart.lease.model,
                  version: ttfPart.lease.version,
                  capMinutes: timeToFailure(1, ttfPart.lease.metadata).capMinutes,
                }
              : null,
            ...(typeof ttf === 'string' ? { ttfNote: ttf } : {}),
            predictions: faults.map((f, i) => {
              const device = sources[batch.refs[i].source].device;
              const t = ttfPart ? timeToFailure(ttfPart.fractions[i], ttfPart.lease.metadata) : undefined;
              return {
                index: i,
                ...(device ? { device, endTs: new Date(batch.refs[i].endTs).toISOString() } : {}),
                faultProbability: f.probability,
                alarm: f.alarm,
                ttfMinutes: t ? t.minutes : null,
                ttfBeyondCap: t ? t.beyondCap : null,
              };
            }),
          };
        };
        return ttfName ? app.inference.withModel(ttfName, {}, (ttf) => predict(ttf)) : predict();
      });
    },
  );

  app.post(
    '/v1/predict/throughput',
    {
      config: { role: 'reader', audit: false, errorStatuses: [404] },
      schema: {
        tags: ['scoring'],
        description:
          'What-if throughput: one prediction per configuration. `values` and `symbols` name the raw fields the ' +
          "throughput model's features come from (GET /v1/models/{name} lists them).",
        body: ThroughputRequest,
        response: { 200: ThroughputResponse },
      },
    },
    async (request) => {
      const body = request.body;
      const name = body.model ?? app.inference.modelFor('throughput').name;
      return app.inference.withModel(name, { version: body.version }, async (lease) => {
        const meta = lease.metadata;
        requireFamily(meta, 'throughput', '/v1/predict/throughput');
        const rows = throughputRows(body.configurations, meta);
        const n = body.configurations.length;
        const r = await lease.run(rows, [n, ...lease.rowDims]);
        const predicted = throughputFromOutput(primaryOutput(meta, r.outputs).data, meta);
        return {
          model: r.model,
          version: r.version,
          executionProvider: r.executionProvider,
          predictions: Array.from(predicted, (throughput, index) => ({ index, throughput })),
        };
      });
    },
  );
}
