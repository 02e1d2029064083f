/**
 * Recommendations from the policy engine and their approval. GET lists (newest first, filtered); approve moves a
 * proposed recommendation to approved and queues it; reject closes it. Approve/reject need the operator role and
 * are written to api_audit by the auth plugin; the recommendation's own history goes to QuestDB `recommendations`.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { actionRunbook } from '../../health/runbooks.js';
import {
  RECOMMENDATION_OUTCOMES,
  RECOMMENDATION_STATUSES,
  type StoredRecommendation,
} from '../../queue/recommendation-store.js';
import { ACTION_TYPES } from '../../recommend/types.js';

const Target = Type.Object({
  kind: Type.String(),
  id: Type.String(),
  cluster: Type.String(),
  rack: Type.String(),
  node: Type.Optional(Type.String()),
});

export const Recommendation = Type.Object({
  id: Type.String(),
  status: Type.Enum(RECOMMENDATION_STATUSES),
  type: Type.String(),
  target: Target,
  severity: Type.String(),
  confidence: Type.Number(),
  reason: Type.String(),
  evidence: Type.Record(Type.String(), Type.Unknown()),
  expectedBenefit: Type.Record(Type.String(), Type.Unknown()),
  params: Type.Record(Type.String(), Type.Unknown()),
  requiresApproval: Type.Boolean(),
  dryRun: Type.Boolean(),
  suppressedBy: Type.Optional(Type.String()),
  supersedes: Type.Optional(
    Type.String({ description: 'the waiting recommendation of the same action this one replaced (now superseded)' }),
  ),
  notBefore: Type.Optional(Type.String({ format: 'date-time' })),
  dependsOn: Type.Array(Type.String()),
  createdAt: Type.String({ format: 'date-time', description: 'when this occurrence was created' }),
  updatedAt: Type.String({ format: 'date-time' }),
  occurrence: Type.Integer({ description: '1, or n when the same fault came back after the action closed' }),
  requestedBy: Type.String(),
  approvedBy: Type.Optional(Type.String()),
  rejectedBy: Type.Optional(Type.String()),
  note: Type.Optional(Type.String()),
  runbook: Type.String({ description: "repository path of the type's runbook (docs/runbooks/<type>.md)" }),
  outcome: Type.Optional(
    Type.Object({
      value: Type.Enum(RECOMMENDATION_OUTCOMES),
      by: Type.String(),
      at: Type.String({ format: 'date-time' }),
    }),
  ),
});

export function recommendationView(r: StoredRecommendation) {
  const a = r.action;
  return {
    id: r.id,
    status: r.status,
    type: a.type,
    target: a.target,
    severity: a.severity,
    confidence: a.confidence,
    reason: a.reason,
    evidence: { ...a.evidence },
    expectedBenefit: { ...a.expectedBenefit },
    params: { ...a.params },
    requiresApproval: a.requiresApproval,
    dryRun: a.dryRun,
    ...(a.suppressedBy ? { suppressedBy: a.suppressedBy } : {}),
    ...(a.supersedes ? { supersedes: a.supersedes } : {}),
    ...(a.notBefore ? { notBefore: new Date(a.notBefore).toISOString() } : {}),
    dependsOn: [...a.dependsOn],
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
    occurrence: r.occurrence,
    requestedBy: r.requestedBy,
    ...(r.approvedBy ? { approvedBy: r.approvedBy } : {}),
    ...(r.rejectedBy ? { rejectedBy: r.rejectedBy } : {}),
    ...(r.note ? { note: r.note } : {}),
    runbook: actionRunbook(a.type),
    ...(r.outcome ? { outcome: { ...r.outcome, at: new Date(r.outcome.at).toISOString() } } : {}),
  };
}

const IdParams = Type.Object({ id: Type.String({ pattern: '^[\\w.-]{1,128}$' }) });

export default async function recommendationRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/v1/recommendations',
    {
      config: { role: 'reader' },
      schema: {
        tags: ['recommendations'],
        description: 'Recommendations, newest first. `target` matches a target id (node, device, job, rack) or node.',
        querystring: Type.Object({
          status: Type.Optional(Type.Enum(RECOMMENDATION_STATUSES)),
          target: Type.Optional(Type.String({ maxLength: 256 })),
          severity: Type.Optional(Type.Enum(['info', 'warning', 'critical'] as const)),
          type: Type.Optional(Type.Enum(ACTION_TYPES)),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
        }),
        response: { 200: Type.Object({ recommendations: Type.Array(Recommendation) }) },
      },
    },
    async (request) => {
      const list = await app.remediation.store.list(request.query);
      return { recommendations: list.map(recommendationView) };
    },
  );

  app.get(
    '/v1/recommendations/:id',
    {
      config: { role: 'reader' },
      schema: { tags: ['recommendations'], params: IdParams, response: { 200: Recommendation } },
    },
    async (request) => recommendationView(await app.remediation.store.require(request.params.id)),
  );

  app.post(
    '/v1/recommendations/:id/approve',
    {
      config: { role: 'operator', errorStatuses: [409] },
      schema: {
        tags: ['recommendations'],
        description: 'Approve a proposed recommendation and queue it for execution (409 unless it is proposed).',
        params: IdParams,
        response: { 200: Recommendation },
      },
    },
    async (request) => {
      const principal = request.principal?.name ?? 'unknown';
      return recommendationView(await app.remediation.approve(request.params.id, principal));
    },
  );

  app.post(
    '/v1/recommendations/:id/reject',
    {
      config: { role: 'operator', errorStatuses: [409] },
      schema: {
        tags: ['recommendations'],
        description: 'Reject a proposed or approved (not yet queued) recommendation; it is closed for good.',
        params: IdParams,
        body: Type.Optional(Type.Object({ note: Type.Optional(Type.String({ maxLength: 1000 })) })),
        response: { 200: Recommendation },
      },
    },
    async (request) => {
      const principal = request.principal?.name ?? 'unknown';
      const rec = await app.remediation.reject(request.params.id, principal, request.body?.note ?? '');
      return recommendationView(rec);
    },
  );

  const Breaker = Type.Object({
    tripped: Type.Boolean(),
    trippedAt: Type.Optional(Type.String({ format: 'date-time' })),
    resetAt: Type.Optional(Type.String({ format: 'date-time' })),
  });
  const breakerView = (b: { tripped: boolean; trippedAt?: number; resetAt?: number }) => ({
    tripped: b.tripped,
    ...(b.trippedAt ? { trippedAt: new Date(b.trippedAt).toISOString() } : {}),
    ...(b.resetAt ? { resetAt: new Date(b.resetAt).toISOString() } : {}),
  });

  app.get(
    '/v1/safety/circuit-breaker',
    {
      config: { role: 'reader' },
      schema: {
        tags: ['recommendations'],
        description: 'The remediation circuit breaker: while tripped, only informing actions (tickets, alerts) pass.',
        response: { 200: Breaker },
      },
    },
    async () => breakerView(await app.safety.breaker()),
  );

  app.post(
    '/v1/safety/circuit-breaker/reset',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['recommendations'],
        description: 'Close the breaker; quarantine actions before now no longer count towards the next trip.',
        response: { 200: Breaker },
      },
    },
    async () => {
      await app.safety.reset(Date.now());
      return breakerView(await app.safety.breaker());
    },
  );
}
