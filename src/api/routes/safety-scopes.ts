/**
 * Opt-outs and maintenance windows: operators say where the automation must not act (a cluster, rack, node, GPU or
 * job). POST and DELETE need the operator role, are audited (api_audit) and answered only once stored in QuestDB;
 * GET lists what is in force (reader). The batch forecast reads them every run; a window past its end, or an
 * opt-out past its `until`, stops applying by itself.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../errors.js';
import type { PolicyScope, PolicyScopeKind } from '../../queue/policy-scopes.js';
import { parseTs } from '../../telemetry/validate-rows.js';

const Scope = Type.Object({
  kind: Type.Enum(['cluster', 'rack', 'node', 'gpu', 'job'] as const, {
    description: 'what it covers; a gpu is `node/gpu`',
  }),
  id: Type.String({ minLength: 1, maxLength: 128, pattern: '^[^\\u0000-\\u001f]+$' }),
});

const Entry = Type.Object({
  id: Type.String(),
  scope: Scope,
  start: Type.Optional(Type.String({ format: 'date-time' })),
  end: Type.Optional(Type.String({ format: 'date-time' })),
  setBy: Type.String(),
  setAt: Type.String({ format: 'date-time' }),
  note: Type.Optional(Type.String()),
});

const Note = Type.Optional(Type.String({ maxLength: 1000 }));
const IdParams = Type.Object({ id: Type.String({ pattern: '^[\\w.-]{1,64}$' }) });
const iso = (ms: number) => new Date(ms).toISOString();

/** Times an operator may set: the telemetry rule (parseTs: 2000..2100, no rolled-over dates), named by field. */
function timeOf(field: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const ms = parseTs(raw);
  if (typeof ms === 'string') throw new AppError('VALIDATION_FAILED', `${field}: ${ms}`, { field });
  return ms;
}

function view(s: PolicyScope) {
  return {
    id: s.id,
    scope: s.scope,
    ...(s.start !== undefined ? { start: iso(s.start) } : {}),
    ...(s.end !== undefined ? { end: iso(s.end) } : {}),
    setBy: s.actor,
    setAt: iso(s.setAt),
    ...(s.note ? { note: s.note } : {}),
  };
}

const ROUTES: ReadonlyArray<{ path: string; kind: PolicyScopeKind; what: string }> = [
  { path: '/v1/safety/opt-outs', kind: 'opt_out', what: 'opt-out' },
  { path: '/v1/safety/maintenance-windows', kind: 'maintenance', what: 'maintenance window' },
];

export default async function safetyScopeRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const scopes = () => {
    const s = app.safety.scopes;
    if (!s) throw new Error('policy scopes are not configured');
    return s;
  };
  for (const { path, kind, what } of ROUTES) {
    app.get(
      path,
      {
        config: { role: 'reader' },
        schema: {
          tags: ['safety'],
          description: `Every ${what} in force or still to come, newest first.`,
          response: { 200: Type.Object({ entries: Type.Array(Entry) }) },
        },
      },
      async () => ({ entries: (await scopes().current()).filter((s) => s.kind === kind).map(view) }),
    );

    app.post(
      path,
      {
        config: { role: 'operator' },
        schema: {
          tags: ['safety'],
          description:
            kind === 'opt_out'
              ? 'Opt a scope out of automatic actions (proposals for it are suppressed), until `until` or removed.'
              : 'A maintenance window: no action runs on the scope between `start` and `end`.',
          body:
            kind === 'opt_out'
              ? Type.Object({ scope: Scope, until: Type.Optional(Type.String({ format: 'date-time' })), note: Note })
              : Type.Object({
                  scope: Scope,
                  start: Type.String({ format: 'date-time' }),
                  end: Type.String({ format: 'date-time' }),
                  note: Note,
                }),
          response: { 201: Entry },
        },
      },
      async (request, reply) => {
        const b = request.body as {
          scope: PolicyScope['scope'];
          until?: string;
          start?: string;
          end?: string;
          note?: string;
        };
        const start = timeOf('start', b.start);
        const end = b.until !== undefined ? timeOf('until', b.until) : timeOf('end', b.end);
        const entry = await scopes().add(
          kind,
          b.scope,
          {
            ...(start !== undefined ? { start } : {}),
            ...(end !== undefined ? { end } : {}),
            ...(b.note ? { note: b.note } : {}),
          },
          request.principal?.name ?? 'anonymous',
        );
        return reply.status(201).send(view(entry));
      },
    );

    app.delete(
      `${path}/:id`,
      {
        config: { role: 'operator' },
        schema: {
          tags: ['safety'],
          description: `End a ${what} now (404 unless it is in force).`,
          params: IdParams,
          response: { 200: Entry },
        },
      },
      async (request) => view(await scopes().remove(kind, request.params.id, request.principal?.name ?? 'anonymous')),
    );
  }
}
