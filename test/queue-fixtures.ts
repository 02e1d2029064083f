/**
 * Queue-test fixtures: an isolated queue harness (unique Redis prefix per test, cleaned after), real QuestDB writer
 * and reader, and actions shaped like the policy's output.
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { Config } from '../src/config.js';
import { ActionAudit } from '../src/queue/action-audit.js';
import { RemediationDispatcher } from '../src/queue/dispatcher.js';
import { SafetySwitches } from '../src/queue/policy-state.js';
import { FleetQueues } from '../src/queue/queues.js';
import { RecommendationStore } from '../src/queue/recommendation-store.js';
import type { RecommendedAction } from '../src/recommend/types.js';
import { migrate } from '../src/telemetry/migrate.js';
import { TelemetryReader } from '../src/telemetry/reader.js';
import { TelemetryWriter } from '../src/telemetry/writer.js';
import { testConfig, uniqueTag, waitFor } from './helpers.js';

export const silentLog = pino({ level: 'silent' });

export function fakeAction(over: Partial<RecommendedAction> = {}): RecommendedAction {
  const node = over.target?.node ?? uniqueTag('qn');
  return {
    id: `act_t${randomUUID().replaceAll('-', '').slice(0, 19)}`,
    type: 'drain_node',
    target: { kind: 'node', id: node, cluster: 'cq', rack: 'cq-r0', node },
    severity: 'warning',
    confidence: 0.9,
    expectedBenefit: { summary: 'test' },
    reason: 'XID 79: GPU fell off the bus',
    evidence: { kind: 'xid', key: 'xid:79', devices: [`${node}/0`] },
    params: {},
    dependsOn: [],
    requiresApproval: false,
    status: 'proposed',
    dryRun: false,
    ...over,
  };
}

/** Resolve once QuestDB has applied every committed WAL transaction of `table` (so a count is final). */
export async function walApplied(reader: TelemetryReader, table: string): Promise<void> {
  await waitFor(
    () =>
      reader.query<{ writerTxn: number; sequencerTxn: number }>(
        'SELECT writerTxn, sequencerTxn FROM wal_tables() WHERE name = $1',
        [table],
      ),
    (r) => r.length === 1 && Number(r[0].writerTxn) >= Number(r[0].sequencerTxn),
  );
}

export interface QueueHarness {
  readonly config: Config;
  readonly prefix: string;
  readonly queues: FleetQueues;
  readonly writer: TelemetryWriter;
  readonly reader: TelemetryReader;
  readonly store: RecommendationStore;
  readonly audit: ActionAudit;
  readonly dispatcher: RemediationDispatcher;
  /** What a forecast run needs from the harness (reader, writer, queues, dispatcher, safety), dry-run and silent. */
  forecastDeps(): {
    reader: TelemetryReader;
    writer: TelemetryWriter;
    queues: FleetQueues;
    dispatcher: RemediationDispatcher;
    safety: SafetySwitches;
    dryRun: true;
    log: typeof silentLog;
  };
  /** Audit rows of an action (of one occurrence when `createdAt` is given: ids are stable across occurrences). */
  auditRows(actionId: string, createdAt?: number): Promise<AuditRow[]>;
  close(): Promise<void>;
}

export interface AuditRow {
  action_id: string;
  result: string;
  attempt: number;
  worker: string;
  executor: string;
  error: string;
  detail: string;
  dry_run: number;
}

export async function queueHarness(env: Record<string, string> = {}): Promise<QueueHarness> {
  const prefix = uniqueTag('fsq');
  const config = testConfig({ QUEUE_PREFIX: prefix, ...env });
  const reader = TelemetryReader.connect(config.questdb);
  await migrate(reader);
  const writer = await TelemetryWriter.connect(config.questdb);
  const queues = new FleetQueues(config);
  const store = new RecommendationStore(queues.redis, { keyPrefix: queues.key(), writer });
  const audit = new ActionAudit(queues.redis, writer, queues.key());
  const dispatcher = new RemediationDispatcher(queues, store);
  return {
    config,
    prefix,
    queues,
    writer,
    reader,
    store,
    audit,
    dispatcher,
    forecastDeps: () => ({
      reader,
      writer,
      queues,
      dispatcher,
      safety: new SafetySwitches(queues.redis, queues.key()),
      dryRun: true,
      log: silentLog,
    }),
    auditRows: async (actionId, createdAt) =>
      (
        await reader.query<AuditRow>(
          'SELECT action_id, result, attempt, worker, executor, error, detail, dry_run FROM remediation_actions ' +
            `WHERE action_id = $1 ${createdAt === undefined ? '' : 'AND ts = $2'} ORDER BY attempt`,
          createdAt === undefined ? [actionId] : [actionId, new Date(createdAt).toISOString()],
        )
      ).map((r) => ({ ...r, attempt: Number(r.attempt), dry_run: Number(r.dry_run) })),
    async close() {
      await queues.obliterate().catch(() => {});
      await queues.close();
      await writer.close();
      await reader.close();
    },
  };
}
