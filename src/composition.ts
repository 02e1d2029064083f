/**
 * The one composition: every resource the process roles share, built once in a fixed order and released in reverse.
 *
 *   config → QuestDB reader (wait for it, migrate) → QuestDB writer → Redis + BullMQ queues
 *          → recommendation store → dispatcher, safety switches (breaker, opt-outs, windows) → ONNX Runtime inference (opened on first use)
 *
 * Every role uses it: the API (src/api/app.ts decorates the app from it), the worker and scheduler roles
 * (src/queue/runtime.ts), `all` (one composition shared by the three), the retrain worker and the scripts. A process
 * opens one; `close()` releases what was opened, last first (inference, queues, writer after a final flush, reader).
 */
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { InferenceService, type InferenceServiceOptions } from './inference/inference-service.js';
import { RemediationDispatcher } from './queue/dispatcher.js';
import { PolicyScopes } from './queue/policy-scopes.js';
import { SafetySwitches } from './queue/policy-state.js';
import { FleetQueues } from './queue/queues.js';
import { RecommendationStore } from './queue/recommendation-store.js';
import { migrate } from './telemetry/migrate.js';
import { TelemetryReader } from './telemetry/reader.js';
import { TelemetryWriter } from './telemetry/writer.js';

/** The logger every resource writes to (pino, or Fastify's pino). */
export type CompositionLog = Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;

export interface Composition {
  readonly config: Config;
  readonly reader: TelemetryReader;
  readonly writer: TelemetryWriter;
  /** The four queues on the process's producer connection (`queues.redis`, also used for plain commands). */
  readonly queues: FleetQueues;
  readonly store: RecommendationStore;
  readonly dispatcher: RemediationDispatcher;
  readonly safety: SafetySwitches;
  /**
   * The process's one InferenceService, opened on the first call (the first caller's options apply: the API passes
   * its metrics observer). Rejects when no model can be served.
   */
  inference(opts?: InferenceServiceOptions): Promise<InferenceService>;
  close(): Promise<void>;
}

export async function openComposition(config: Config, log: CompositionLog): Promise<Composition> {
  const release: Array<() => Promise<unknown>> = [];
  try {
    const reader = TelemetryReader.connect(config.questdb, log);
    release.push(() => reader.close());
    await reader.waitUntilAvailable(config.questdb.startupWaitMs, log);
    await migrate(reader);
    const writer = await TelemetryWriter.connect(config.questdb, log as Logger);
    release.push(() => writer.close());
    const queues = new FleetQueues(config);
    release.push(() => queues.close());
    const store = new RecommendationStore(queues.redis, { keyPrefix: queues.key(), writer, reader });
    let inference: Promise<InferenceService> | undefined;
    release.push(async () => (await inference?.catch(() => undefined))?.close());
    return {
      config,
      reader,
      writer,
      queues,
      store,
      dispatcher: new RemediationDispatcher(queues, store),
      safety: new SafetySwitches(queues.redis, queues.key(), new PolicyScopes(reader, writer, queues.key())),
      inference(opts) {
        inference ??= InferenceService.open(config, log as Logger, opts);
        return inference;
      },
      close: () => releaseAll(release, log),
    };
  } catch (err) {
    await releaseAll(release, log);
    throw err;
  }
}

async function releaseAll(release: Array<() => Promise<unknown>>, log: CompositionLog): Promise<void> {
  for (const r of release.splice(0).reverse()) {
    await r().catch((err) => log.warn({ err: err instanceof Error ? err.message : err }, 'release failed'));
  }
}
