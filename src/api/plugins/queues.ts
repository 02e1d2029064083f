/**
 * The queues as the API sees them: `app.queues` (the four BullMQ queues, producer side, on the app's Redis),
 * `app.remediation` (recommendation store + dispatcher for approve/reject), a readiness check, queue depth gauges
 * on /metrics, and the Bull Board dashboard at /admin/queues behind the admin role.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Gauge } from 'prom-client';
import { AppError, ERROR_CODES } from '../../errors.js';
import type { RemediationDispatcher } from '../../queue/dispatcher.js';
import { subscribePromotions } from '../../queue/model-events.js';
import { QUEUE_NAMES } from '../../queue/names.js';
import type { SafetySwitches } from '../../queue/policy-state.js';
import type { FleetQueues } from '../../queue/queues.js';
import { errorBody } from './error-handler.js';

declare module 'fastify' {
  interface FastifyInstance {
    queues: FleetQueues;
    remediation: RemediationDispatcher;
    safety: SafetySwitches;
  }
}

type BoardReply = ReturnType<Parameters<FastifyAdapter['setErrorHandler']>[0]>;

export const QUEUE_DASHBOARD_PATH = '/admin/queues';
const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed'] as const;

async function queuesPlugin(app: FastifyInstance) {
  const { queues, dispatcher, safety } = app.composition;
  app.decorate('queues', queues);
  app.decorate('remediation', dispatcher);
  app.decorate('safety', safety);

  // Follow promotions made by the retrain worker or another API replica in this process's inference service.
  const unsubscribe = await subscribePromotions(app.config.redis, queues.prefix, app.log, (p) =>
    app.inference.promote(p.model, p.version),
  );
  app.addHook('onClose', unsubscribe);

  app.readiness.push({
    name: 'queues',
    check: async () => ({ remediation: await queues.remediation.getJobCounts('wait', 'active', 'failed') }),
  });

  new Gauge({
    name: 'fleetsense_queue_jobs',
    help: 'BullMQ jobs per queue and state',
    labelNames: ['queue', 'state'] as const,
    registers: [app.metrics],
    async collect() {
      const counts = await Promise.all(QUEUE_NAMES.map((q) => queues.get(q).getJobCounts(...STATES)));
      QUEUE_NAMES.forEach((q, i) => {
        for (const s of STATES) this.set({ queue: q, state: s }, counts[i][s] ?? 0);
      });
    },
  });

  // Bull Board registers its own routes without our route options: give every route in this scope the admin role.
  await app.register(async (scope) => {
    scope.addHook('onRoute', (route) => {
      // Dashboard actions (retry, clean, remove) are state changes: the auth plugin audits them like any other.
      route.config = { ...(route.config ?? {}), role: 'admin' };
      route.schema = { ...(route.schema ?? {}), hide: true };
    });
    const serverAdapter = new FastifyAdapter();
    serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
    createBullBoard({
      queues: queues.all().map((q) => new BullMQAdapter(q)),
      serverAdapter,
    });
    // Bull Board installs its own error handler in its scope; make auth failures keep our status and error body.
    serverAdapter.setErrorHandler((err) => {
      if (err instanceof AppError)
        return { status: err.status as BoardReply['status'], body: errorBody(err.code, err.message) };
      app.log.error({ err }, 'queue dashboard error');
      return { status: 500, body: errorBody('INTERNAL', ERROR_CODES.INTERNAL.message) };
    });
    await scope.register(serverAdapter.registerPlugin(), { prefix: QUEUE_DASHBOARD_PATH });
  });
}

export default fp(queuesPlugin, { name: 'queues', dependencies: ['resources', 'metrics', 'inference'] });
