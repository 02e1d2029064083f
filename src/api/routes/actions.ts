/**
 * GET /v1/actions: the remediation audit from QuestDB `remediation_actions` — one row per execution attempt, newest
 * first. Filters are bound parameters; `from`/`to` bound the action's creation time.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { listActions } from '../../telemetry/queries/remediation-actions.js';

const AuditRow = Type.Object({
  ts: Type.String({ format: 'date-time', description: 'when the action was created' }),
  actionId: Type.String(),
  type: Type.String(),
  target: Type.String(),
  targetKind: Type.String(),
  cluster: Type.String(),
  severity: Type.String(),
  executor: Type.String(),
  result: Type.String(),
  requestedBy: Type.String(),
  approvedBy: Type.String(),
  worker: Type.String(),
  reason: Type.String(),
  detail: Type.String(),
  error: Type.String(),
  started: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  finished: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  attempt: Type.Integer(),
  dryRun: Type.Boolean(),
});

type Raw = Record<string, string | number | Date | null>;
const iso = (v: unknown): string | null => (v == null ? null : new Date(v as string | number | Date).toISOString());
const str = (v: unknown): string => (v == null ? '' : String(v));

export default async function actionRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/v1/actions',
    {
      config: { role: 'reader' },
      schema: {
        tags: ['recommendations'],
        description: 'Remediation audit: every execution attempt of every action, newest first.',
        querystring: Type.Object({
          actionId: Type.Optional(Type.String({ maxLength: 128 })),
          target: Type.Optional(Type.String({ maxLength: 256 })),
          type: Type.Optional(Type.String({ maxLength: 64 })),
          result: Type.Optional(Type.String({ maxLength: 32 })),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 100 })),
        }),
        response: { 200: Type.Object({ actions: Type.Array(AuditRow) }) },
      },
    },
    async (request) => {
      const rows = await listActions<Raw>(app.reader, request.query);
      return {
        actions: rows.map((r) => ({
          ts: iso(r.ts) ?? '',
          actionId: str(r.action_id),
          type: str(r.type),
          target: str(r.target),
          targetKind: str(r.target_kind),
          cluster: str(r.cluster),
          severity: str(r.severity),
          executor: str(r.executor),
          result: str(r.result),
          requestedBy: str(r.requested_by),
          approvedBy: str(r.approved_by),
          worker: str(r.worker),
          reason: str(r.reason),
          detail: str(r.detail),
          error: str(r.error),
          started: iso(r.started),
          finished: iso(r.finished),
          attempt: Number(r.attempt ?? 0),
          dryRun: Number(r.dry_run) === 1,
        })),
      };
    },
  );
}
