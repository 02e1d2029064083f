/**
 * The job plan: GPUs are grouped into fixed slots (a whole node, half a node, ..., or two nodes of a rack), and
 * each slot runs a sequence of jobs separated by idle gaps. Gaps are longer at night, so fleet allocation follows
 * the diurnal load (~70 % at 04:00, ~95 % at 16:00). The plan is drawn before the physics runs, so the fault plan
 * can pick a job to straggle and truncate the job a failing GPU was running.
 */
import { diurnal } from './diurnal.js';
import type { ResolvedOptions } from './options.js';
import { Rng } from './prng.js';
import type { Topology } from './topology.js';

export type Workload = 'llm-pretrain' | 'llm-finetune' | 'inference' | 'vision-train';

export interface PlannedJob {
  readonly id: string;
  readonly slot: number;
  readonly gpuIndices: readonly number[];
  readonly start: number;
  /** Planned end; a GPU failure in the slot aborts the job earlier (see `truncateSlot`). */
  end: number;
  readonly workload: Workload;
  readonly paramsBillion: number;
  readonly batchSize: number;
  readonly powerCapW: number;
  /** Share of TDP the job would draw uncapped at full utilisation. */
  readonly intensity: number;
  /** Steady utilisation for training jobs; the daytime peak for inference. */
  readonly utilBase: number;
  readonly memCopyShare: number;
  readonly fbUsedMib: number;
  readonly gpuModel: string;
  readonly cluster: string;
  /** Symbols for job_metrics rows (shared by every row of this job). */
  readonly symbols: Readonly<Record<string, string>>;
}

export interface Slot {
  readonly index: number;
  readonly gpuIndices: readonly number[];
  readonly rackIndex: number;
  /** Jobs sorted by start, non-overlapping. */
  jobs: PlannedJob[];
}

const MIN = 60_000;
const HOUR = 3_600_000;

/** Node partitions (GPU counts) for an 8-GPU node, drawn per node. */
const NODE_PATTERNS: readonly (readonly number[])[] = [
  [8],
  [4, 4],
  [4, 2, 2],
  [2, 2, 4],
  [2, 2, 2, 2],
  [1, 1, 2, 4],
  [2, 2, 2, 1, 1],
  [4, 2, 1, 1],
];

function partition(size: number, rng: Rng): number[] {
  if (size === 8) return [...rng.pick(NODE_PATTERNS)];
  const parts: number[] = [];
  let left = size;
  while (left > 0) {
    let p = 1;
    while (p * 2 <= left) p *= 2;
    if (p > 1 && rng.next() < 0.3) p /= 2;
    parts.push(p);
    left -= p;
  }
  return parts;
}

function buildSlots(topology: Topology, rng: Rng): Slot[] {
  const slots: Slot[] = [];
  const nodes = topology.nodes;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
    const next = nodes[i + 1];
    // Two full nodes of a rack sometimes form one 16-GPU job slot (multi-node training).
    if (next && next.rackIndex === node.rackIndex && node.gpuIndices.length === 8 && next.gpuIndices.length === 8) {
      if (rng.next() < 0.12) {
        slots.push({
          index: slots.length,
          gpuIndices: [...node.gpuIndices, ...next.gpuIndices],
          rackIndex: node.rackIndex,
          jobs: [],
        });
        i++;
        continue;
      }
    }
    let offset = 0;
    for (const size of partition(node.gpuIndices.length, rng)) {
      const gpuIndices = node.gpuIndices.slice(offset, offset + size);
      offset += size;
      slots.push({ index: slots.length, gpuIndices, rackIndex: node.rackIndex, jobs: [] });
    }
  }
  return slots;
}

function logUniform(rng: Rng, lo: number, hi: number): number {
  return Math.exp(rng.uniform(Math.log(lo), Math.log(hi)));
}

function drawJob(o: ResolvedOptions, topology: Topology, slot: Slot, k: number, start: number, rng: Rng): PlannedJob {
  const gpu = topology.gpus[slot.gpuIndices[0]];
  const spec = gpu.spec;
  const n = slot.gpuIndices.length;
  const u = rng.next();
  const workload: Workload =
    u < 0.4 ? 'llm-pretrain' : u < 0.65 ? 'llm-finetune' : u < 0.85 ? 'inference' : 'vision-train';
  const [pLo, pHi, iLo, iHi, utLo, utHi] =
    workload === 'llm-pretrain'
      ? [1, 70, 0.88, 1.0, 94, 98]
      : workload === 'llm-finetune'
        ? [1, 34, 0.78, 0.92, 88, 95]
        : workload === 'inference'
          ? [1, 70, 0.65, 0.82, 75, 92]
          : [0.3, 2, 0.8, 0.95, 90, 97];
  const hours = Math.min(10, Math.max(0.5, Math.exp(Math.log(1.5) + 0.7 * rng.normal())));
  const capShare = rng.next() < 0.45 ? 1 : rng.uniform(0.55, 0.95);
  const micro = rng.pick([4, 8, 16, 32, 64]);
  return {
    id: `j${o.seed}-${slot.index}-${k}`,
    slot: slot.index,
    gpuIndices: slot.gpuIndices,
    start,
    end: start + Math.round((hours * HOUR) / o.samplePeriodMs) * o.samplePeriodMs,
    workload,
    paramsBillion: Math.round(logUniform(rng, pLo, pHi) * 100) / 100,
    batchSize: micro * n,
    powerCapW: Math.round(spec.tdpW * capShare * o.capScale),
    intensity: rng.uniform(iLo, iHi),
    utilBase: rng.uniform(utLo, utHi),
    memCopyShare: rng.uniform(0.25, 0.6),
    fbUsedMib: Math.round(spec.fbTotalMib * rng.uniform(0.35, 0.85)),
    gpuModel: spec.name,
    cluster: gpu.cluster,
    symbols: Object.freeze({
      job_id: `j${o.seed}-${slot.index}-${k}`,
      workload,
      gpu_model: spec.name,
      cluster: gpu.cluster,
    }),
  };
}

/** Mean idle gap between jobs: ~5 min at the daily peak, ~45 min at the trough. */
function gapMs(ts: number, rng: Rng, period: number): number {
  const mean = 5 * MIN + 40 * MIN * (1 - diurnal(ts));
  return Math.max(period * 6, Math.round(rng.exponential(mean) / period) * period);
}

export function jobPlan(o: ResolvedOptions, topology: Topology): Slot[] {
  const rng = new Rng(o.seed, 'jobs');
  const slots = buildSlots(topology, rng);
  for (const slot of slots) {
    let k = 0;
    // Start some hours before the run so the fleet is already busy at `start`.
    let t = o.start - Math.round(rng.uniform(0, 6 * HOUR) / o.samplePeriodMs) * o.samplePeriodMs;
    while (t < o.end) {
      const job = drawJob(o, topology, slot, k++, t, rng);
      if (job.end > o.start) slot.jobs.push(job);
      t = job.end + gapMs(job.end, rng, o.samplePeriodMs);
    }
  }
  return slots;
}

/** A GPU of the slot failed at `ts`: abort the running job and keep the slot empty until `until` (repair). */
export function truncateSlot(slot: Slot, ts: number, until: number): void {
  slot.jobs = slot.jobs.filter((job) => job.start < ts || job.start >= until);
  for (const job of slot.jobs) if (job.start < ts && job.end > ts) job.end = ts;
}
