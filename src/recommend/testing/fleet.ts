/**
 * Test fixtures for the policy: a small fleet and builders for each kind of evidence, with defaults that make
 * a test state only what it is about. Used by src/recommend/*.test.ts and the queue's policy round trips.
 */

import type { PolicyConfig } from '../config.js';
import { recommend } from '../engine.js';
import { policyInput } from '../input.js';
import type {
  ActionRecord,
  ActionType,
  AnomalyScore,
  EccState,
  FaultPrediction,
  FleetTopology,
  JobPlacement,
  PolicyInput,
  PolicyResult,
  PowerCapForecast,
  RecommendedAction,
} from '../types.js';

export const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const AE = { name: 'lstm-ae', version: '3' } as const;
export const FAULT = { name: 'fault-gru', version: '2' } as const;
export const TTF = { name: 'ttf-gru', version: '1' } as const;
export const TPUT = { name: 'throughput-mlp', version: '5' } as const;

/** Clusters c1.., racks `<cluster>r1`.., nodes `<rack>n1`.., GPUs g0.. (device `c1r1n1/g0`). */
export function fleet(
  opts: { clusters?: number; racks?: number; nodes?: number; gpus?: number; jobs?: JobPlacement[] } = {},
): FleetTopology {
  const { clusters = 1, racks = 2, nodes = 4, gpus = 4, jobs = [] } = opts;
  const range = (n: number, f: (i: number) => string): string[] => Array.from({ length: n }, (_, i) => f(i));
  return {
    clusters: range(clusters, (c) => `c${c + 1}`).map((cid) => ({
      id: cid,
      racks: range(racks, (r) => `${cid}r${r + 1}`).map((rid) => ({
        id: rid,
        nodes: range(nodes, (n) => `${rid}n${n + 1}`).map((nid) => ({ id: nid, gpus: range(gpus, (g) => `g${g}`) })),
      })),
    })),
    jobs,
  };
}

/** The default fleet: 1 cluster, 2 racks of 4 nodes of 4 GPUs; job `train-a` on all of c1r1n1, `infer-b` on c1r1n2/g0. */
export const JOBS: JobPlacement[] = [
  { id: 'train-a', cluster: 'c1', devices: ['c1r1n1/g0', 'c1r1n1/g1', 'c1r1n1/g2', 'c1r1n1/g3'] },
  { id: 'infer-b', cluster: 'c1', devices: ['c1r1n2/g0'] },
];

export function input(over: Partial<PolicyInput> = {}): PolicyInput {
  // Tests act for real unless they say otherwise: dry run off (policyInput's own default is on).
  return policyInput({ now: NOW, topology: fleet({ jobs: JOBS }), ...over, safety: over.safety ?? { dryRun: false } });
}

export function anomaly(
  device: string,
  multiple: number,
  features: [string, number][],
  over: Partial<AnomalyScore> = {},
): AnomalyScore {
  return {
    device,
    ts: NOW - MIN,
    score: 0.1 * multiple,
    threshold: 0.1,
    model: AE,
    topFeatures: features.map(([name, contribution]) => ({ name, contribution })),
    ...over,
  };
}

/** The test fault model's own alarm threshold, as the outputs module carries it from model.json. */
export const MODEL_THRESHOLD = { value: 0.7, source: 'model fault-gru@2 (model.json threshold, fixed)' };

export function prediction(device: string, probability: number, over: Partial<FaultPrediction> = {}): FaultPrediction {
  return { device, ts: NOW - MIN, probability, horizonMs: 6 * HOUR, model: FAULT, threshold: MODEL_THRESHOLD, ...over };
}

export function ecc(device: string, over: Partial<EccState> = {}): EccState {
  return {
    device,
    ts: NOW - MIN,
    sbeRatePerHour: 0,
    dbeCount: 0,
    remappedRowsPending: 0,
    rowRemapFailure: false,
    ...over,
  };
}

export function record(
  a: Pick<RecommendedAction, 'id' | 'type' | 'target' | 'params'>,
  over: Partial<ActionRecord> = {},
): ActionRecord {
  return {
    id: a.id,
    type: a.type,
    target: a.target,
    params: a.params,
    createdAt: NOW - 10 * MIN,
    status: 'queued',
    ...over,
  };
}

export const run = (over: Partial<PolicyInput> = {}, config?: PolicyConfig): PolicyResult =>
  recommend(input(over), config);

export const ofType = (r: PolicyResult, type: ActionType): RecommendedAction[] =>
  r.actions.filter((a) => a.type === type);
export const proposed = (r: PolicyResult): RecommendedAction[] => r.actions.filter((a) => a.status === 'proposed');
export const suppressed = (r: PolicyResult): RecommendedAction[] => r.actions.filter((a) => a.status === 'suppressed');
export const notes = (r: PolicyResult): string[] =>
  r.decisions.filter((d) => d.outcome === 'note').map((d) => d.message);

export function one(r: PolicyResult, type: ActionType, targetId?: string): RecommendedAction {
  const found = r.actions.filter((a) => a.type === type && (targetId === undefined || a.target.id === targetId));
  if (found.length !== 1)
    throw new Error(`expected one ${type}${targetId ? ` on ${targetId}` : ''}, got ${found.length}`);
  return found[0];
}

/** XID events of one code on one device, `n` of them a minute apart ending a minute ago. */
export const xids = (device: string, code: number, n = 1): PolicyInput['xidEvents'] =>
  Array.from({ length: n }, (_, i) => ({ device, code, ts: NOW - (n - i) * MIN }));

/** A GPU's throughput forecast whose one candidate, `capW`, saves about 20 % energy per unit of work at -1 %. */
export function capForecast(device: string, capW: number, now = NOW): PowerCapForecast {
  return {
    subject: { kind: 'gpu', id: device },
    ts: now - MIN,
    model: TPUT,
    current: { powerCapW: 700, throughput: 1000, powerW: 2800 },
    candidates: [{ powerCapW: capW, throughput: 990, powerW: 2200 }],
  };
}
