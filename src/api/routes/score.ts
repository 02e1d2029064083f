/**
 * POST /v1/score/anomaly: anomaly scores from the autoencoder for inline windows or devices over a time range.
 * Every window of one response is scored by the same model version (held for the whole request), and each result
 * says its score, the threshold, the verdict and which features carry most of the reconstruction error.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../errors.js';
import { anomalyWindows, latestWindow } from '../../features/model-inputs.js';
import type { ModelMetadata } from '../../features/model-metadata.js';
import {
  anomalyRule,
  anomalyVerdicts,
  primaryOutput,
  requireFinite,
  seriesVerdicts,
  type WindowVerdict,
} from '../../inference/model-outputs.js';
import type { PackedWindows } from '../../inference/window-requests.js';
import {
  acceptBinaryWindows,
  BINARY_HEADERS,
  BINARY_WINDOWS,
  binaryRequest,
  intHeader,
  isBinary,
  jsonOrBinaryBody,
  requireBody,
} from '../inputs/binary-windows.js';
import { concatWindows, seriesForRequest } from '../inputs/window-source.js';
import { AnomalyRequest, AnomalyResponse } from '../schemas/score.js';

/** A JSON body as it is, or a binary one as the same request with `packed` windows. */
function anomalyBody(request: FastifyRequest): AnomalyRequest & { packed?: PackedWindows } {
  const body = requireBody(request.body as AnomalyRequest | Buffer | undefined);
  if (!isBinary(body)) return body;
  return { ...binaryRequest(request, body), topK: intHeader(request, 'x-top-k', 1, 32) };
}

export function requireFamily(meta: ModelMetadata, family: ModelMetadata['family'], route: string): void {
  if (meta.family !== family) {
    throw new AppError(
      'VALIDATION_FAILED',
      `model ${meta.name} is a ${meta.family} model; ${route} needs a ${family} model`,
      {
        model: meta.name,
        family: meta.family,
      },
    );
  }
}

/**
 * Verdicts per source, in time order, through the model's rule (seriesVerdicts); with `onlyLatest` the last window
 * of each source only. `window` is the index into the batch.
 */
function pickVerdicts(
  meta: ModelMetadata,
  all: readonly WindowVerdict[],
  batch: { refs: readonly { source: number }[]; data: Float32Array; length: number; width: number },
  reconstruction: Float32Array,
  onlyLatest: boolean,
): { window: number; verdict: WindowVerdict }[] {
  const refs = batch.refs;
  const size = batch.length * batch.width;
  const bySource = new Map<number, number[]>();
  refs.forEach((r, w) => {
    const list = bySource.get(r.source) ?? [];
    list.push(w);
    bySource.set(r.source, list);
  });
  const out: { window: number; verdict: WindowVerdict }[] = [];
  for (const windows of bySource.values()) {
    // A source's windows are contiguous in the batch (concatWindows).
    const [first, last] = [windows[0] * size, (windows[windows.length - 1] + 1) * size];
    const judged = seriesVerdicts(
      meta,
      windows.map((w) => all[w]),
      { input: batch.data.subarray(first, last), reconstruction: reconstruction.subarray(first, last) },
    );
    const from = onlyLatest ? windows.length - 1 : 0;
    for (let i = from; i < windows.length; i++) out.push({ window: windows[i], verdict: judged[i] });
  }
  return out.sort((a, b) => a.window - b.window);
}

export default async function scoreRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  acceptBinaryWindows(app);

  app.post(
    '/v1/score/anomaly',
    {
      // Scoring reads; it changes no state, so it is not audited (it would flood api_audit under load).
      config: { role: 'reader', audit: false, errorStatuses: [404] },
      schema: {
        tags: ['scoring'],
        description:
          'Anomaly scores from the LSTM autoencoder. Send `windows` (raw telemetry, `windows[w][t][f]` in the order of ' +
          "the model's `inputFields`, at least `windowLength` rows each) or `devices` with `from`/`to` (read from " +
          'QuestDB; every window at the model stride, or only the latest with `latest: true`). Per window: score (mean ' +
          'squared reconstruction error, scaled units), threshold, verdict (`anomalous`: score strictly above the ' +
          'threshold), top features by share of the error. A window whose score is not finite (inputs far outside ' +
          'the trained range) gets 422 SCORE_NOT_FINITE naming it. Bulk clients may send the windows as ' +
          `\`${BINARY_WINDOWS}\` instead: raw little-endian float32, \`windows[w][t][f]\` row-major, with the shape in ` +
          '`x-window-shape: N,T,F` and the options in headers (`x-window-fields`, `x-model`, `x-model-version`, ' +
          '`x-top-k`); the same checks apply, and the body length must match the shape.',
        headers: Type.Object({
          ...BINARY_HEADERS,
          'x-top-k': Type.Optional(Type.String({ description: `${BINARY_WINDOWS} bodies: as \`topK\` in JSON` })),
        }),
        body: jsonOrBinaryBody(AnomalyRequest),
        response: { 200: AnomalyResponse },
      },
    },
    async (request) => {
      const body = anomalyBody(request);
      const name = body.model ?? app.inference.modelFor('anomaly').name;
      return app.inference.withModel(name, { version: body.version }, async (lease) => {
        const meta = lease.metadata;
        requireFamily(meta, 'anomaly', '/v1/score/anomaly');
        const sources = await seriesForRequest(app.reader, body, [meta], app.config.api);
        const inline = body.windows !== undefined || body.packed !== undefined;
        const onlyLatest = inline || body.latest === true;
        // A model with recorded detection judges a window against its series' history: every window of each source
        // is scored and run through the detector, and with `latest` (or inline windows) only the last is answered.
        const rule = anomalyRule(meta);
        const cut =
          onlyLatest && rule === 'threshold'
            ? (s: Parameters<typeof latestWindow>[0]) => latestWindow(s, meta)
            : (s: Parameters<typeof anomalyWindows>[0]) => anomalyWindows(s, meta);
        const batch = concatWindows(sources, cut);
        const result = await lease.run(batch.data, [batch.count, batch.length, batch.width]);
        const reconstruction = primaryOutput(meta, result.outputs).data;
        const all = anomalyVerdicts(meta, batch.data, reconstruction, batch.count, body.topK ?? 3);
        // A non-finite score would break the response (and mean nothing): a 422 naming the windows instead.
        requireFinite(
          'anomaly score',
          all.map((v) => v.score),
          meta,
          batch.data,
          (w) => (inline ? batch.refs[w].source : w),
        );
        const picked = pickVerdicts(meta, all, batch, reconstruction, onlyLatest);
        const verdicts = picked.map((p) => p.verdict);
        return {
          model: result.model,
          version: result.version,
          executionProvider: result.executionProvider,
          windowLength: meta.windowLength,
          threshold: meta.threshold?.value ?? null,
          rule,
          results: verdicts.map((v, i) => {
            const ref = batch.refs[picked[i].window];
            const device = sources[ref.source].device;
            return {
              index: inline ? ref.source : i,
              ...(device ? { device, endTs: new Date(ref.endTs).toISOString() } : {}),
              score: v.score,
              threshold: v.threshold,
              anomalous: v.anomalous,
              topFeatures: [...v.topFeatures],
            };
          }),
        };
      });
    },
  );
}
