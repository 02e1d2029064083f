/** Deterministic GPU-fleet simulator with labelled fault injection. See datasets/README.md. */

export { diurnal } from './diurnal.js';
export {
  FACILITY_RECOVERY_MS,
  type FleetPlan,
  faultCount,
  faultPlan,
  type PlannedFault,
  planFleet,
  REPAIR_MS,
} from './faults.js';
export { partSteps, type RunPart, type SimStep, type SimulatedSeries, simulateFleet, simulateSeries } from './fleet.js';
export { GPU_MODELS, type GpuModelSpec } from './gpu-models.js';
export { jobPlan, type PlannedJob, type Slot, type Workload } from './jobs.js';
export { type ResolvedOptions, resolveOptions, SAMPLE_PERIOD_MS, type SimOptions } from './options.js';
export { Rng } from './prng.js';
export { backfill, type Progress, type RunSummary, type TelemetrySink, writeCsvRun } from './sinks.js';
export { CLOCK_REASON, FACILITY_FIELDS, GPU_FIELDS } from './state.js';
export { type StreamOptions, streamLive } from './stream.js';
export { severity } from './symptoms.js';
export { jobThroughput, THROUGHPUT_NOISE, type ThroughputInputs } from './throughput.js';
export { fleetTopology, type GpuInfo, type NodeInfo, type RackInfo, SITE, type Topology } from './topology.js';
