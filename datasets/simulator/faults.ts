/**
 * The fault plan: which device fails, how, when the first symptom appears and when it fails. Deterministic in the
 * options. Faults are spread over the run, each fault type appears at least once when the run is >= 6 h, and no two
 * faults overlap on one job slot or rack, so every label has one clean cause.
 *
 * Lifecycle (documented for label consumers): symptoms grow from `onsetTs` to `failureTs`. At `failureTs` a GPU
 * fault fails the GPU (XID when the type raises one), its job is aborted and the GPU is drained (idle, no job) for
 * `REPAIR_MS`; then it is repaired and returns to service healthy (counters keep their totals, rates go back to
 * baseline, remapped rows and `xid_last` clear). A facility cooling failure peaks at `failureTs`, then the rack's
 * inlet recovers within ~15 min; GPUs there throttle but do not fail.
 */
import type { FaultLabel, FaultType } from '../../src/telemetry/catalogue.js';
import { jobPlan, type PlannedJob, type Slot, truncateSlot } from './jobs.js';
import { type ResolvedOptions, resolveOptions, type SimOptions } from './options.js';
import { Rng } from './prng.js';
import { fleetTopology, type Topology } from './topology.js';

const MIN = 60_000;
/** A failed GPU is drained this long before it returns repaired. */
export const REPAIR_MS = 30 * MIN;
/** A rack's inlet is back to normal this long after a facility cooling failure peaks. */
export const FACILITY_RECOVERY_MS = 15 * MIN;
const SPAN_MIN_MS = 30 * MIN;
const SPAN_MAX_MS = 120 * MIN;
const WARMUP_MS = 30 * MIN;
/** Quiet time kept around a fault on its slot or rack. */
const PAD_MS = 10 * MIN;

const XID_BY_TYPE: Readonly<Record<FaultType, readonly number[]>> = {
  cooling_degradation: [0],
  ecc_storm: [48],
  psu_instability: [79],
  nvlink_degradation: [74],
  memory_leak: [31, 43],
  straggler: [0],
  facility_cooling_failure: [0],
};

/** A fault as the physics uses it. */
export interface PlannedFault {
  readonly label: FaultLabel;
  readonly type: FaultType;
  /** The GPU that shows the symptoms; -1 for rack-level faults. */
  readonly gpuIndex: number;
  readonly rackIndex: number;
  readonly slotIndex: number;
  /** End of the after-failure phase (repair or recovery). */
  readonly until: number;
}

export interface FleetPlan {
  readonly options: ResolvedOptions;
  readonly topology: Topology;
  readonly slots: readonly Slot[];
  readonly faults: readonly PlannedFault[];
}

interface Interval {
  readonly from: number;
  readonly to: number;
}
const overlaps = (list: readonly Interval[], from: number, to: number): boolean =>
  list.some((iv) => iv.from < to && from < iv.to);

/** How many faults a run gets. */
export function faultCount(o: ResolvedOptions): number {
  if (o.faultTypes.length === 0 || o.faultsPerGpuDay === 0) return 0;
  const expected = Math.round((o.gpus * o.hours * o.faultsPerGpuDay) / 24);
  return o.hours >= 6 ? Math.max(expected, o.faultTypes.length) : expected;
}

export function planFleet(opts: SimOptions): FleetPlan {
  const o = resolveOptions(opts);
  const topology = fleetTopology(o);
  const slots = jobPlan(o, topology);
  const rng = new Rng(o.seed, 'faults');
  const total = o.end - o.start;
  const warmup = Math.min(WARMUP_MS, total * 0.15);
  const spanMax = Math.min(SPAN_MAX_MS, (total - warmup) * 0.8);
  const spanMin = Math.min(SPAN_MIN_MS, spanMax);
  const n = spanMax < 5 * MIN ? 0 : faultCount(o);
  const types: FaultType[] = [];
  if (n >= o.faultTypes.length) types.push(...rng.shuffle([...o.faultTypes]));
  while (types.length < n) types.push(rng.pick(o.faultTypes));

  const slotBusy: Interval[][] = slots.map(() => []);
  const rackBusy: Interval[][] = topology.racks.map(() => []);
  const slotOfGpu = new Int32Array(topology.gpus.length);
  for (const slot of slots) for (const g of slot.gpuIndices) slotOfGpu[g] = slot.index;
  const faults: PlannedFault[] = [];
  const snap = (t: number) => Math.round(t / o.samplePeriodMs) * o.samplePeriodMs;

  // The most constrained faults go first (a facility fault needs its whole rack quiet, a straggler a multi-GPU
  // job); each keeps its own slice of the run, so the spread over time does not depend on this order.
  const rank = (t: FaultType) => (t === 'facility_cooling_failure' ? 0 : t === 'straggler' ? 1 : 2);
  const order = types.map((_, i) => i).sort((a, b) => rank(types[a]) - rank(types[b]) || a - b);
  for (const i of order) {
    const type = types[i];
    for (let attempt = 0; attempt < 80; attempt++) {
      // Late attempts use the shortest span, so small fleets still fit every type.
      const span = snap(attempt < 40 ? rng.uniform(spanMin, spanMax) : spanMin);
      const lo = o.start + warmup;
      const hi = o.end - span - o.samplePeriodMs;
      if (hi <= lo) break;
      // Fault i aims at the i-th slice of the run so faults spread over time; later attempts roam freely.
      const u = attempt < 20 ? (i + rng.next()) / types.length : rng.next();
      const onset = snap(lo + u * (hi - lo));
      const failure = onset + span;
      const placed =
        type === 'facility_cooling_failure' ? placeFacility(type, onset, failure) : placeGpuFault(type, onset, failure);
      if (placed) break;
    }
  }
  faults.sort((a, b) => a.label.onsetTs - b.label.onsetTs || a.label.device.localeCompare(b.label.device));
  return { options: o, topology, slots, faults };

  function placeFacility(type: FaultType, onset: number, failure: number): boolean {
    const until = failure + FACILITY_RECOVERY_MS;
    const order = rng.shuffle(topology.racks.map((r) => r.index));
    for (const r of order) {
      if (overlaps(rackBusy[r], onset - PAD_MS, until + PAD_MS)) continue;
      const rackSlots = slots.filter((s) => s.rackIndex === r);
      if (rackSlots.some((s) => overlaps(slotBusy[s.index], onset - PAD_MS, until + PAD_MS))) continue;
      rackBusy[r].push({ from: onset, to: until });
      const rack = topology.racks[r];
      const label: FaultLabel = {
        device: rack.name,
        cluster: rack.cluster,
        rack: rack.name,
        node: '',
        gpu: '',
        faultType: type,
        onsetTs: onset,
        failureTs: failure,
        xid: 0,
      };
      faults.push({ label, type, gpuIndex: -1, rackIndex: r, slotIndex: -1, until });
      return true;
    }
    return false;
  }

  function placeGpuFault(type: FaultType, onset: number, failure: number): boolean {
    const until = failure + REPAIR_MS;
    // Candidates: jobs running over the whole symptom phase on a slot and rack with nothing else going on.
    const candidates: PlannedJob[] = [];
    for (const slot of slots) {
      if (type === 'straggler' && slot.gpuIndices.length < 2) continue;
      if (overlaps(slotBusy[slot.index], onset - PAD_MS, until + PAD_MS)) continue;
      if (overlaps(rackBusy[slot.rackIndex], onset - PAD_MS, until + PAD_MS)) continue;
      // A job that has been running a while at onset; if it would end before the failure it runs on until then.
      const job = slot.jobs.find((j) => j.start <= onset - 5 * MIN && j.end > onset);
      if (job) candidates.push(job);
    }
    if (candidates.length === 0) return false;
    const job = rng.pick(candidates);
    const gpuIndex = rng.pick(job.gpuIndices);
    const gpu = topology.gpus[gpuIndex];
    const slot = slots[slotOfGpu[gpuIndex]];
    slotBusy[slot.index].push({ from: onset, to: until });
    if (job.end < failure) {
      slot.jobs = slot.jobs.filter((j) => j === job || j.start < job.end || j.start >= failure);
      job.end = failure;
    }
    truncateSlot(slot, failure, until);
    const label: FaultLabel = {
      device: type === 'straggler' ? job.id : gpu.device,
      cluster: gpu.cluster,
      rack: gpu.rack,
      node: gpu.node,
      gpu: gpu.gpu,
      faultType: type,
      onsetTs: onset,
      failureTs: failure,
      xid: rng.pick(XID_BY_TYPE[type]),
    };
    faults.push({ label, type, gpuIndex, rackIndex: gpu.rackIndex, slotIndex: slot.index, until });
    return true;
  }
}

/** The labelled faults of a run, sorted by onset. Same options, same labels. */
export function faultPlan(opts: SimOptions): FaultLabel[] {
  return planFleet(opts).faults.map((f) => f.label);
}
