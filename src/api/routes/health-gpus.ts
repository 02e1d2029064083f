/**
 * The GPU health API (reader role): every GPU's state with the reasons behind it, one GPU's, the fleet health score
 * now and its recorded history. States and reasons come from src/health only; the evidence from a few grouped
 * QuestDB queries and the recommendation store (src/api/inputs/health-evidence.ts). Also starts the fleet score's
 * recorder and registers the ops gauges the shipped alerts use.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Type } from 'typebox';
import { AppError } from '../../errors.js';
import type { HealthScore } from '../../health/fleet-score.js';
import { fleetScore } from '../../health/fleet-score.js';
import type { GpuHealth } from '../../health/gpu-state.js';
import { DEFAULT_HEALTH_POLICY, HEALTH_STATES, STATE_WEIGHTS } from '../../health/health-policy.js';
import { fleetHealthHistory } from '../../telemetry/queries/fleet-health-history.js';
import { FleetHealthMonitor } from '../inputs/fleet-health-monitor.js';
import { fleetHealth, type HealthFilter } from '../inputs/health-evidence.js';
import { registerOpsGauges } from '../inputs/ops-gauges.js';
import { FleetScoreView, GpuHealthView, HealthHistoryView, StateCounts } from '../schemas/health.js';

const iso = (ms: number) => new Date(ms).toISOString();
const Name = Type.String({ minLength: 1, maxLength: 128 });
const At = Type.Optional(
  Type.String({ format: 'date-time', description: 'evaluate as of this time (default: now); for comparisons' }),
);

function gpuView(h: GpuHealth, allReasons: boolean) {
  return {
    ...h.identity,
    state: h.state,
    lastSampleAt: h.lastSampleTs === undefined ? null : iso(h.lastSampleTs),
    reasons: h.reasons
      .filter((r) => allReasons || r.state !== 'healthy')
      .map((r) => ({
        kind: r.kind,
        state: r.state,
        summary: r.summary,
        at: iso(r.ts),
        evidence: r.evidence,
        runbook: r.runbook,
      })),
  };
}

const scoreView = (s: HealthScore) => ({ score: s.score, gpus: s.gpus, states: s.states });

async function healthGpuRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const health = (at: number, filter: HealthFilter = {}) =>
    fleetHealth(app.reader, app.remediation.store, at, filter, DEFAULT_HEALTH_POLICY);
  const monitor = new FleetHealthMonitor({
    compute: (at) => health(at),
    writer: app.writer,
    log: app.log,
    recordEveryMs: app.config.api.healthRecordEveryS * 1000,
  });
  app.decorate('fleetHealth', monitor);
  monitor.start();
  app.addHook('onClose', async () => monitor.stop());
  registerOpsGauges(app, monitor);

  const atOf = (at?: string) => (at ? Date.parse(at) : Date.now());

  app.get(
    '/v1/health/gpus',
    {
      config: { role: 'reader' },
      schema: {
        tags: ['health'],
        description:
          'Every GPU that reported within the inventory window, its health state and the reasons for it (worst ' +
          'first). By default only reasons that raise the state are listed; `reasons=all` adds the evidence found fine.',
        querystring: Type.Object({
          cluster: Type.Optional(Name),
          rack: Type.Optional(Name),
          node: Type.Optional(Name),
          state: Type.Optional(Type.Enum(HEALTH_STATES)),
          reasons: Type.Optional(Type.Union([Type.Literal('findings'), Type.Literal('all')], { default: 'findings' })),
          at: At,
        }),
        response: {
          200: Type.Object({
            at: Type.String({ format: 'date-time' }),
            staleAfterMs: Type.Integer(),
            counts: StateCounts,
            gpus: Type.Array(GpuHealthView),
          }),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const at = atOf(q.at);
      const all = await health(at, { cluster: q.cluster, rack: q.rack, node: q.node });
      const counts = fleetScore(all.map((g) => ({ cluster: g.identity.cluster, state: g.state }))).fleet.states;
      const gpus = q.state ? all.filter((g) => g.state === q.state) : all;
      return {
        at: iso(at),
        staleAfterMs: DEFAULT_HEALTH_POLICY.staleAfterMs,
        counts,
        gpus: gpus.map((g) => gpuView(g, q.reasons === 'all')),
      };
    },
  );

  const oneGpu = async (node: string, gpu: string, at: number) => {
    const [h] = await health(at, { node, gpu });
    if (!h)
      throw new AppError('UNKNOWN_DEVICE', `no telemetry from ${node}/${gpu} within the inventory window`, {
        device: `${node}/${gpu}`,
      });
    return gpuView(h, true);
  };
  const oneSchema = {
    tags: ['health'],
    description: 'One GPU: its state and every reason, including the evidence found fine.',
    querystring: Type.Object({ at: At }),
    response: { 200: GpuHealthView },
  };
  app.get(
    '/v1/health/gpus/:device',
    {
      config: { role: 'reader' },
      schema: {
        ...oneSchema,
        params: Type.Object({
          device: Type.String({ pattern: '^[^/]+/[^/]+$', description: '`node/gpu`, its `/` URL-encoded as %2F' }),
        }),
      },
    },
    async (request) => {
      const { device } = request.params;
      const cut = device.lastIndexOf('/');
      return oneGpu(device.slice(0, cut), device.slice(cut + 1), atOf(request.query.at));
    },
  );
  app.get(
    '/v1/health/gpus/:node/:gpu',
    { config: { role: 'reader' }, schema: { ...oneSchema, params: Type.Object({ node: Name, gpu: Name }) } },
    async (request) => oneGpu(request.params.node, request.params.gpu, atOf(request.query.at)),
  );

  app.get(
    '/v1/health/fleet',
    {
      config: { role: 'reader' },
      schema: {
        tags: ['health'],
        description: 'The fleet health score now (cached up to 15 s), for the fleet and per cluster, with its weights.',
        querystring: Type.Object({ at: At }),
        response: { 200: FleetScoreView },
      },
    },
    async (request) => {
      const snap = request.query.at ? await monitor.snapshot(atOf(request.query.at)) : await monitor.current();
      return {
        at: iso(snap.at),
        weights: STATE_WEIGHTS,
        fleet: scoreView(snap.score.fleet),
        clusters: snap.score.clusters.map((c) => ({ cluster: c.cluster, ...scoreView(c) })),
      };
    },
  );

  app.get(
    '/v1/health/fleet/history',
    {
      config: { role: 'reader' },
      schema: {
        tags: ['health'],
        description: 'The recorded fleet health score over [from, to), oldest first: the fleet, or one cluster.',
        querystring: Type.Object({
          from: Type.String({ format: 'date-time' }),
          to: Type.Optional(Type.String({ format: 'date-time' })),
          cluster: Type.Optional(Name),
        }),
        response: { 200: HealthHistoryView },
      },
    },
    async (request) => {
      const from = Date.parse(request.query.from);
      const to = request.query.to ? Date.parse(request.query.to) : Date.now();
      // An empty range (to = from) is a valid question with an empty answer; only a reversed one is wrong.
      if (to < from) throw new AppError('VALIDATION_FAILED', 'to must not be before from', { field: 'to' });
      const rows = await fleetHealthHistory(app.reader, { from, to, cluster: request.query.cluster });
      const scores = rows.map((r) => r.score).filter((s): s is number => s !== null && Number.isFinite(s));
      return {
        from: iso(from),
        to: iso(to),
        cluster: request.query.cluster ?? null,
        mean: scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null,
        min: scores.length ? Math.min(...scores) : null,
        points: rows.map((r) => ({
          at: iso(r.ts),
          score: r.score !== null && Number.isFinite(r.score) ? r.score : null,
          gpus: Number(r.gpus),
          states: {
            healthy: Number(r.healthy ?? 0),
            degraded: Number(r.degraded ?? 0),
            at_risk: Number(r.at_risk ?? 0),
            failing: Number(r.failing ?? 0),
            drained: Number(r.drained ?? 0),
            unknown: Number(r.unknown ?? 0),
          },
        })),
      };
    },
  );
}

declare module 'fastify' {
  interface FastifyInstance {
    fleetHealth: FleetHealthMonitor;
  }
}

// Not encapsulated: `app.fleetHealth` (the recorder) is for the whole app, e.g. a test that records a slot.
export default fp(healthGpuRoutes, { name: 'health-gpus', dependencies: ['metrics', 'queues'] });
