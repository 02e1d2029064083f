/**
 * A fleet for the console's browser tests and screenshots, written to the real QuestDB and Redis through the app's
 * own writer and recommendation store: the simulator's telemetry (renamed to a cluster of its own, so nothing else
 * on the machine mixes in) up to now, plus model outputs, XIDs, a silent GPU, a drained node and proposals that
 * give GPUs each health state. Which state each GPU should get is for the health API to say; the tests compare the
 * page with the API, not with this file.
 */
import type { FastifyInstance } from 'fastify';
import { simulateFleet } from '../datasets/simulator/index.js';
import type { RecommendedAction } from '../src/recommend/types.js';
import type { TelemetryRow } from '../src/telemetry/catalogue.js';
import { type TableRow, toTableRow } from '../src/telemetry/writer.js';
import { fakeAction, walApplied } from './queue-fixtures.js';

const MIN = 60_000;

export interface ConsoleFleet {
  readonly cluster: string;
  readonly devices: string[];
  /** A GPU with an hour of telemetry, anomaly scores over it and an open proposal: the drill-down's subject. */
  readonly drillDevice: string;
  /** A proposed recommendation that needs an operator's approval. */
  readonly proposal: RecommendedAction;
}

export interface FleetOptions {
  readonly cluster: string;
  readonly gpus: number;
  /** Telemetry history up to now (the drill-down's span); the big fleet needs only the latest samples. */
  readonly minutes: number;
  readonly seed?: number;
  readonly now?: number;
}

const rename = (cluster: string, name: string) => name.replace(/^c\d+/, cluster);

export async function seedConsoleFleet(app: FastifyInstance, o: FleetOptions): Promise<ConsoleFleet> {
  const now = o.now ?? Date.now();
  const start = now - o.minutes * MIN;
  const gpuRows: TelemetryRow[] = [];
  // One cluster whatever the size: racks of 16 nodes of 8 GPUs, up to 64 racks.
  for (const step of simulateFleet({
    seed: o.seed ?? 7,
    gpus: o.gpus,
    start,
    hours: o.minutes / 60,
    faultsPerGpuDay: 0,
    nodesPerRack: 16,
    racksPerCluster: 64,
  })) {
    for (const r of step.gpu) {
      const s = r.symbols;
      gpuRows.push({
        ts: r.ts,
        values: r.values,
        symbols: {
          cluster: o.cluster,
          rack: rename(o.cluster, s.rack),
          node: rename(o.cluster, s.node),
          gpu: s.gpu,
          gpu_model: s.gpu_model,
        },
      });
    }
  }
  const devices = [...new Set(gpuRows.map((r) => `${r.symbols.node}/${r.symbols.gpu}`))].sort();
  const rackOf = new Map(gpuRows.map((r) => [`${r.symbols.node}/${r.symbols.gpu}`, r.symbols.rack]));
  const pick = (i: number) => devices[Math.min(devices.length - 1, i)];
  const [degraded, atRisk, failing, silent, drill] = [pick(1), pick(2), pick(3), pick(9), pick(0)];
  // Every 11th GPU degraded, every 37th at risk, every 101st silent, on top of the fixed ones: a fleet-sized spread.
  const spread = (k: number) => devices.filter((_, i) => i > 16 && i % k === 0);
  const degradedSet = new Set([degraded, drill, ...spread(11)]);
  const atRiskSet = new Set([atRisk, ...spread(37)]);
  const silentSet = new Set([silent, ...spread(101)]);

  // A silent GPU's telemetry stopped 20 minutes ago; the failing one logged XID 79 and an uncorrected ECC error.
  const telemetry = gpuRows.map((r) =>
    silentSet.has(`${r.symbols.node}/${r.symbols.gpu}`) ? { ...r, ts: r.ts - 20 * MIN } : r,
  );
  const last = telemetry.filter((r) => `${r.symbols.node}/${r.symbols.gpu}` === failing).at(-1);
  if (last)
    telemetry.push({
      ...last,
      ts: last.ts + 1,
      values: { ...last.values, xid_count: 1, xid_last: 79, ecc_dbe_volatile: 2 },
    });
  await app.writer.writeDurable(
    'gpu_metrics',
    telemetry.map((r) => toTableRow('gpu_metrics', r)),
  );

  const scoreRow = (device: string, ts: number, multiple: number): TableRow => ({
    ts,
    symbols: { device, cluster: o.cluster, rack: rackOf.get(device)!, model: 'anomaly', model_version: 'console-test' },
    doubles: { score: multiple * 0.02, threshold: 0.02 },
    longs: { anomalous: multiple >= 1 ? 1 : 0 },
    strings: {
      top_features: JSON.stringify([
        { name: 'gpu_temp_c', contribution: 0.55 },
        { name: 'power_w', contribution: 0.25 },
        { name: 'sm_clock_mhz', contribution: 0.1 },
      ]),
    },
  });
  const scores: TableRow[] = [];
  for (const d of devices) {
    if (silentSet.has(d)) continue;
    const m = atRiskSet.has(d) ? 3.4 : degradedSet.has(d) ? 1.6 : 0.4;
    scores.push(scoreRow(d, now - 2 * MIN, m));
  }
  // The drill-down GPU: a score every 5 minutes over its history, climbing past the threshold.
  for (let t = start + 5 * MIN; t < now - 2 * MIN; t += 5 * MIN)
    scores.push(scoreRow(drill, t, 0.3 + (1.3 * (t - start)) / (now - start)));
  await app.writer.writeDurable('anomaly_scores', scores);
  await app.writer.writeDurable('fault_predictions', [
    {
      ts: now - 2 * MIN,
      symbols: {
        device: atRisk,
        cluster: o.cluster,
        rack: rackOf.get(atRisk)!,
        model: 'fault',
        model_version: 'console-test',
      },
      doubles: { probability: 0.82, threshold: 0.7, ttf_ms: 95 * MIN },
      longs: { horizon_ms: 120 * MIN, alarm: 1 },
    },
  ]);

  const store = app.remediation.store;
  const target = (device: string, kind: 'gpu' | 'node') => {
    const node = device.split('/')[0];
    return { kind, id: kind === 'gpu' ? device : node, cluster: o.cluster, rack: rackOf.get(device)!, node };
  };
  // A drained node: its drain has run.
  const drainedNode = pick(devices.length - 1);
  const drain = fakeAction({
    target: target(drainedNode, 'node'),
    evidence: { kind: 'xid', key: `xid:79:${drainedNode}`, devices: [drainedNode] },
  });
  await store.create(drain, 'forecast');
  await store.transition(drain.id, ['proposed'], 'executed', 'worker');
  const proposal = fakeAction({
    type: 'power_cap_gpu',
    severity: 'warning',
    confidence: 0.8,
    requiresApproval: true,
    target: target(drill, 'gpu'),
    reason: 'anomaly score 1.6x its threshold with temperature leading: cap power to keep the job running',
    evidence: {
      kind: 'anomaly',
      key: `anomaly:${drill}`,
      devices: [drill],
      anomaly: { score: 0.032, threshold: 0.02, multiple: 1.6 },
      topFeatures: [
        { name: 'gpu_temp_c', contribution: 0.55 },
        { name: 'power_w', contribution: 0.25 },
      ],
    },
    expectedBenefit: {
      summary: 'temperature back under the limit at ~3 % throughput',
      powerSavedW: 120,
      throughputChangePct: -3,
    },
    params: { powerCapW: 550 },
  });
  await store.create(proposal, 'forecast');
  const reset = fakeAction({
    type: 'reset_gpu',
    severity: 'critical',
    confidence: 0.95,
    requiresApproval: true,
    target: target(failing, 'gpu'),
    reason: 'XID 79 (GPU fell off the bus) and an uncorrected ECC error',
    evidence: { kind: 'xid', key: `xid:79:${failing}`, devices: [failing] },
    expectedBenefit: { summary: 'GPU back in service without a node reboot', gpusAffected: 1 },
  });
  await store.create(reset, 'forecast');

  await Promise.all(['gpu_metrics', 'anomaly_scores', 'fault_predictions'].map((t) => walApplied(app.reader, t)));
  return { cluster: o.cluster, devices, drillDevice: drill, proposal };
}
