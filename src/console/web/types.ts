/** The shapes of the REST answers the console reads (see the OpenAPI document at /docs). */
import type { State } from './states.js';

export interface Reason {
  kind: string;
  state: State;
  summary: string;
  at: string;
  evidence: Record<string, unknown>;
  runbook: string;
}
export interface GpuHealth {
  device: string;
  cluster: string;
  rack: string;
  node: string;
  gpu: string;
  gpuModel: string;
  state: State;
  lastSampleAt: string | null;
  reasons: Reason[];
}
export interface HealthList {
  at: string;
  staleAfterMs: number;
  counts: Record<State, number>;
  gpus: GpuHealth[];
}
export interface Score {
  score: number | null;
  gpus: number;
  states: Record<State, number>;
}
export interface FleetScore {
  at: string;
  weights: Record<string, number>;
  fleet: Score;
  clusters: (Score & { cluster: string })[];
}
export interface HealthHistory {
  mean: number | null;
  min: number | null;
  points: (Score & { at: string })[];
}
export interface Recommendation {
  id: string;
  status: string;
  type: string;
  target: { kind: string; id: string; cluster: string; rack: string; node?: string };
  severity: string;
  confidence: number;
  reason: string;
  evidence: Record<string, unknown>;
  expectedBenefit: Record<string, unknown>;
  params: Record<string, unknown>;
  requiresApproval: boolean;
  dryRun: boolean;
  suppressedBy?: string;
  supersedes?: string;
  notBefore?: string;
  createdAt: string;
  updatedAt: string;
  requestedBy: string;
  approvedBy?: string;
  rejectedBy?: string;
  note?: string;
  runbook: string;
}
export interface AuditRow {
  ts: string;
  actionId: string;
  type: string;
  target: string;
  cluster: string;
  severity: string;
  executor: string;
  result: string;
  requestedBy: string;
  approvedBy: string;
  worker: string;
  reason: string;
  detail: string;
  error: string;
  started: string | null;
  finished: string | null;
  attempt: number;
  dryRun: boolean;
}
export interface ModelVersion {
  version: string;
  createdAt: string;
  metrics: Record<string, number>;
  threshold: number | null;
  active: boolean;
  loaded: boolean;
  executionProvider: string | null;
}
export interface Calibration {
  method: 'platt' | 'isotonic';
  a?: number;
  b?: number;
  x?: number[];
  y?: number[];
  metrics: Record<string, number>;
}
export interface ModelSummary {
  name: string;
  family: string;
  activeVersion: string;
  executionProvider: string;
  features: string[];
  windowLength: number;
  samplePeriodMs: number;
  horizonMinutes?: number;
  calibration?: Calibration | null;
  versions: ModelVersion[];
}
export interface Series {
  device: string;
  stepMs: number;
  ts: number[];
  fields: Record<string, (number | null)[]>;
  anomaly: { score: (number | null)[]; threshold: (number | null)[] };
  fault: { probability: (number | null)[]; threshold: (number | null)[] };
}
