/**
 * GET /v1/scorecard?from&to: the live automation's scorecard over a period: what it proposed (QuestDB's
 * recommendation history) against the fault labels (the simulator's, operators', RMA and XID ones) and the
 * operators' outcomes (a `confirmed` or `false_alarm` wins over the labels), with the same measures as
 * `npm run backtest` (src/forecast/scorecard.ts). Reader role.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../errors.js';
import { deviceList, groundTruth, horizonOf } from '../../forecast/backtest.js';
import { scorecard, scorecardSummary } from '../../forecast/scorecard.js';
import { latestOutcomes, proposals } from '../../telemetry/queries/recommendation-proposals.js';

const MAX_RANGE_MS = 31 * 86_400_000;

const Scorecard = Type.Object({
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  summary: Type.Array(Type.String(), { description: 'the lines `npm run backtest` prints' }),
  devices: Type.Integer(),
  deviceDays: Type.Number(),
  horizonMinutes: Type.Number(),
  failures: Type.Integer(),
  caught: Type.Integer(),
  caughtShare: Type.Union([Type.Number(), Type.Null()]),
  medianLeadMin: Type.Union([Type.Number(), Type.Null()]),
  recommendations: Type.Integer(),
  optimisations: Type.Integer(),
  falseRecommendations: Type.Integer(),
  falsePerDeviceDay: Type.Union([Type.Number(), Type.Null()]),
  falseByType: Type.Record(Type.String(), Type.Integer()),
  actionsPerIncident: Type.Union([Type.Number(), Type.Null()]),
});

export default async function scorecardRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/v1/scorecard',
    {
      config: { role: 'reader' },
      schema: {
        tags: ['recommendations'],
        description: `The live automation measured against fault labels over [from, to) (at most 31 days).`,
        querystring: Type.Object({
          from: Type.String({ format: 'date-time' }),
          to: Type.String({ format: 'date-time' }),
        }),
        response: { 200: Scorecard },
      },
    },
    async (request) => {
      const from = Date.parse(request.query.from);
      const to = Date.parse(request.query.to);
      // An empty range (to = from) is a valid question with an empty scorecard; only a reversed one is wrong.
      if (to < from) throw new AppError('VALIDATION_FAILED', 'to must not be before from', { field: 'to' });
      if (to - from > MAX_RANGE_MS) throw new AppError('VALIDATION_FAILED', 'the range may span at most 31 days');
      const [rows, labels, devices] = await Promise.all([
        proposals(app.reader, app.queues.key(), from, to),
        app.reader.faultLabels({ from, to }),
        app.reader.listDevices({ from, to }),
      ]);
      const outcomes = await latestOutcomes(app.reader, [...new Set(rows.map((r) => r.id))]);
      const horizonMs = horizonOf(app.inference) ?? 30 * 60_000;
      const s = scorecard({
        from,
        to,
        devices: devices.length,
        horizonMs,
        labels: groundTruth(labels),
        recommendations: rows.map((r) => ({
          id: r.id,
          type: r.type,
          ts: Number(r.ts),
          target: r.target,
          ...(r.rack ? { rack: r.rack } : {}),
          devices: deviceList(parseEvidence(r.evidence)),
          ...outcomeOf(outcomes.get(r.id)),
        })),
      });
      const { perFault: _, horizonMs: h, from: f, to: t, ...rest } = s;
      return {
        ...rest,
        from: new Date(f).toISOString(),
        to: new Date(t).toISOString(),
        horizonMinutes: h / 60_000,
        summary: scorecardSummary(s),
      };
    },
  );
}

/** An operator's outcome wins over the labels (scorecard.ts); `unknown` says nothing. */
function outcomeOf(o: string | undefined): { outcome?: 'confirmed' | 'false_alarm' } {
  return o === 'confirmed' || o === 'false_alarm' ? { outcome: o } : {};
}

function parseEvidence(raw: string | null): unknown {
  try {
    return raw ? JSON.parse(raw) : undefined;
  } catch {
    return undefined;
  }
}
