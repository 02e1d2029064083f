/**
 * POST /v1/recommendations/:id/outcome (operator): what the operator found. `confirmed` also writes a fault label
 * linked to the recommendation (see src/queue/recommendation-outcome.ts); the recommendation shows its outcome in
 * GET /v1/recommendations.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { recordOutcome } from '../../queue/recommendation-outcome.js';
import { RECOMMENDATION_OUTCOMES } from '../../queue/recommendation-store.js';
import { Label, labelView } from './labels.js';
import { Recommendation, recommendationView } from './recommendations.js';

const Time = Type.Union([Type.String({ maxLength: 64 }), Type.Number()]);

export default async function outcomeRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/v1/recommendations/:id/outcome',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['recommendations'],
        description:
          '`confirmed` (the fault was real: it becomes a fault label, source `operator`, linked to this ' +
          'recommendation; `fault_type` required, `device` defaults to the evidence, `start` to when the ' +
          'recommendation was created), `false_alarm` or `unknown`. Confirmed and false_alarm are final (409).',
        params: Type.Object({ id: Type.String({ pattern: '^[\\w.-]{1,128}$' }) }),
        body: Type.Object(
          {
            outcome: Type.Enum(RECOMMENDATION_OUTCOMES),
            fault_type: Type.Optional(Type.String({ maxLength: 128 })),
            device: Type.Optional(Type.String({ maxLength: 256 })),
            start: Type.Optional(Time),
            failure: Type.Optional(Time),
            note: Type.Optional(Type.String({ maxLength: 2_000 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ recommendation: Recommendation, label: Type.Optional(Label) }),
        },
      },
    },
    async (request) => {
      const actor = request.principal?.name ?? 'unknown';
      const { recommendation, label } = await recordOutcome(
        { store: app.remediation.store, writer: app.writer },
        request.params.id,
        request.body,
        actor,
      );
      return { recommendation: recommendationView(recommendation), ...(label ? { label: labelView(label) } : {}) };
    },
  );
}
