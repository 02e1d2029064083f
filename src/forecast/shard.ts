/**
 * One forecast shard: every GPU of one cluster at one time slot. Reads the model-free evidence, scores the latest
 * window with every served model, writes the scores, runs the policy on all of it and hands the result to the
 * dispatcher (store + enqueue, idempotent by action id). Returns counts, the duration and the time per stage
 * (timings.ts) for the run's log and the forecast bench.
 */
import type { Logger } from 'pino';
import type { DispatchSummary, RemediationDispatcher } from '../queue/dispatcher.js';
import { actionRecords, type SafetySwitches } from '../queue/policy-state.js';
import { DEFAULT_POLICY, type PolicyConfig, policyInput, recommend, topologyFromDevices } from '../recommend/index.js';
import { incidentsBetween } from '../telemetry/queries/incidents.js';
import type { TelemetryReader } from '../telemetry/reader.js';
import type { TelemetryWriter } from '../telemetry/writer.js';
import { readEvidence } from './evidence.js';
import { type DevicePlace, type ScoringService, scoreShard } from './scoring.js';
import { forecastThroughput } from './throughput.js';
import { StageClock, type StageTimings } from './timings.js';

export interface ShardDeps {
  readonly reader: TelemetryReader;
  readonly writer: TelemetryWriter;
  readonly dispatcher: RemediationDispatcher;
  readonly safety: SafetySwitches;
  /** Absent (or serving nothing): the model-free evidence (XID, ECC, facility) still runs through the policy. */
  readonly inference?: ScoringService;
  readonly policy?: PolicyConfig;
  readonly dryRun: boolean;
  readonly log: Logger;
}

export interface ShardResult {
  readonly cluster: string;
  readonly slot: number;
  readonly devices: number;
  readonly scored: Record<string, number>;
  /** Devices a model could not score because inputs were missing (e.g. no facility rows for `rack:` fields). */
  readonly unscorable: Record<string, { devices: number; fields: string[] }>;
  readonly xidEvents: number;
  readonly actions: Omit<DispatchSummary, 'queuedIds'> & { queuedIds: string[] };
  readonly durationMs: number;
  /** Wall milliseconds per stage (read, features, models, outputs, writes, policy, dispatch). */
  readonly timings: StageTimings;
}

export async function runShard(
  deps: ShardDeps,
  /** `store: false` (the backtest) writes no scores: a replay must not overwrite what the live forecast wrote. */
  shard: { cluster: string; slot: number; recommend?: boolean; store?: boolean },
): Promise<ShardResult> {
  const started = performance.now();
  const clock = new StageClock();
  const policy = deps.policy ?? DEFAULT_POLICY;
  const { cluster, slot } = shard;
  const lookbackMs = Math.max(policy.xid.lookbackMs, policy.maxInputAgeMs);
  // The evidence, the model scores and the throughput forecast read and run at once: the shard waits on
  // QuestDB's answers, not its CPU. Scores need the devices' places (from the evidence) only for their rows.
  const evidenceRead = clock.time('read', () =>
    readEvidence(deps.reader, { cluster, from: slot - lookbackMs, to: slot }),
  );
  const places = evidenceRead.then(
    (e) => new Map<string, DevicePlace>(e.devices.map((d) => [d.device, { cluster: d.cluster, rack: d.rack }])),
  );
  // A failed read fails the shard through Promise.all below; this copy of it must not also go unhandled.
  places.catch(() => {});
  const [{ devices, ...evidence }, scores, throughput] = await Promise.all([
    evidenceRead,
    deps.inference
      ? scoreShard(deps.inference, deps.reader, { cluster, to: slot, places }, clock)
      : Promise.resolve(undefined),
    deps.inference
      ? forecastThroughput(deps.inference, deps.reader, { cluster, to: slot }, clock)
      : Promise.resolve({ forecasts: [], rows: [], scored: {} }),
  ]);
  await clock.time('writes', async () => {
    if (shard.store === false) return;
    for (const { table, rows } of scores?.rows ?? []) await deps.writer.writeRows(table, rows);
    if (throughput.rows.length > 0) await deps.writer.writeRows('throughput_forecasts', throughput.rows);
    await deps.writer.flush();
  });

  let actions: ShardResult['actions'] = {
    proposed: 0,
    suppressed: 0,
    queued: 0,
    awaitingApproval: 0,
    duplicates: 0,
    superseded: 0,
    queuedIds: [],
  };
  if (shard.recommend !== false) {
    const result = await clock.time('policy', async () => {
      const records = await actionRecords(deps.dispatcher.store, slot - 7 * 86_400_000);
      // Two windows: a quarantine's trigger needs the window before it (rules/repeat-offenders.ts).
      const incidents = await incidentsBetween(deps.reader, {
        from: slot - 2 * policy.repeatOffender.windowMs,
        to: slot,
      });
      const { jobs, ...signals } = evidence;
      const input = policyInput({
        now: slot,
        topology: topologyFromDevices(devices, jobs),
        anomalies: scores?.anomalies ?? [],
        faultPredictions: scores?.predictions ?? [],
        powerForecasts: throughput.forecasts,
        ...signals,
        ...records,
        incidents,
        safety: await deps.safety.state(deps.dryRun, slot),
      });
      return recommend(input, policy);
    });
    const summary = await clock.time('dispatch', async () => {
      if (result.circuitBreaker.shouldTrip) {
        deps.log.warn({ cluster, count: result.circuitBreaker.count }, 'circuit breaker tripped');
        await deps.safety.trip(slot);
      }
      return deps.dispatcher.submit(result, 'forecast');
    });
    actions = { ...summary, queuedIds: [...summary.queuedIds] };
  }
  const out: ShardResult = {
    cluster,
    slot,
    devices: devices.length,
    scored: { ...scores?.scored, ...throughput.scored },
    unscorable: scores?.unscorable ?? {},
    xidEvents: evidence.xidEvents.length,
    actions,
    durationMs: Math.round(performance.now() - started),
    timings: clock.timings(),
  };
  if (Object.keys(out.unscorable).length > 0)
    deps.log.warn({ cluster, slot, unscorable: out.unscorable }, 'devices left unscored: inputs missing');
  deps.log.info(out, 'forecast shard done');
  return out;
}
