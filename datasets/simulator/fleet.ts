/**
 * The public entry points: a generator of per-step rows (for QuestDB, CSV and live streaming) and dense in-memory
 * per-device series (for training and tests). Both run the same engine, so they agree sample for sample.
 */
import { AppError } from '../../src/errors.js';
import { baseFields, isPeerField, withPeerFields } from '../../src/features/peers.js';
import { isRackField, rackBase } from '../../src/features/rack-fields.js';
import type { Series } from '../../src/features/windows.js';
import type { FaultLabel, TelemetryRow } from '../../src/telemetry/catalogue.js';
import { FleetEngine } from './engine.js';
import { planFleet } from './faults.js';
import type { PlannedJob } from './jobs.js';
import type { SimOptions } from './options.js';
import { FACILITY_FIELDS, GPU_FIELDS } from './state.js';

export interface SimStep {
  ts: number;
  gpu: TelemetryRow[];
  facility: TelemetryRow[];
  jobs: TelemetryRow[];
}

/**
 * Part of a run to emit: steps with `from <= ts < to`. The run (its jobs, faults and every random stream) is
 * planned and simulated from its start as always; steps before `from` only advance the fleet, so a part that
 * begins where another ended continues the same fleet in the same state, as if the run had never stopped.
 */
export interface RunPart {
  readonly from?: number;
  readonly to?: number;
}

export function* simulateFleet(opts: SimOptions, part: RunPart = {}): Generator<SimStep> {
  const plan = planFleet(opts);
  const engine = new FleetEngine(plan);
  const from = part.from ?? Number.NEGATIVE_INFINITY;
  const to = part.to ?? Number.POSITIVE_INFINITY;
  for (let k = 0; k < plan.options.steps; k++) {
    const ts = engine.step(k);
    if (ts >= to) break;
    if (ts < from) continue;
    yield { ts, gpu: engine.gpuRows(ts), facility: engine.facilityRows(ts), jobs: engine.jobRows(ts) };
  }
}

/** The steps of the run inside `part`: the first one's index and how many. */
export function partSteps(
  o: { start: number; steps: number; samplePeriodMs: number },
  part: RunPart = {},
): { first: number; count: number } {
  const index = (t: number) => Math.min(o.steps, Math.max(0, Math.ceil((t - o.start) / o.samplePeriodMs)));
  const first = part.from === undefined ? 0 : index(part.from);
  const end = part.to === undefined ? o.steps : index(part.to);
  return { first, count: Math.max(0, end - first) };
}

export interface SimulatedSeries {
  /** Keyed by device id (`node/gpu`); every series has the same timestamps. */
  series: Map<string, Series>;
  labels: FaultLabel[];
  jobs: TelemetryRow[];
}

/**
 * In-memory per-device dense series of the given gpu_metrics fields (no row objects per GPU sample), as the QuestDB
 * reader returns them: peer fields (`below-peers:<field>`, `above-peers:<field>`: src/features/peers.ts) from the
 * job each GPU runs, rack fields (`rack:<facility field>`: src/features/rack-fields.ts) from the GPU's rack.
 */
export function simulateSeries(opts: SimOptions, requested: readonly string[]): SimulatedSeries {
  const fields = baseFields(requested);
  // Where each column comes from: gpuOut[column][gpu], or for rack fields rackOut[column][the GPU's rack].
  const columns = fields.map((f) => {
    const rack = isRackField(f);
    const i = rack ? FACILITY_FIELDS.indexOf(rackBase(f)) : GPU_FIELDS.indexOf(f);
    if (i < 0) {
      const table = rack ? 'facility_metrics' : 'gpu_metrics';
      throw new AppError('VALIDATION_FAILED', `fields: "${f}" is not a ${table} field`, { field: 'fields', value: f });
    }
    return { rack, i };
  });
  const plan = planFleet(opts);
  const engine = new FleetEngine(plan);
  const steps = plan.options.steps;
  const width = fields.length;
  const ts = new Float64Array(steps);
  const values = plan.topology.gpus.map(() => new Float64Array(steps * width));
  const jobs: TelemetryRow[] = [];
  const { gpuOut, rackOut } = engine.state;
  const rackOfGpu = plan.topology.gpus.map((gpu) => gpu.rackIndex);
  // The job each GPU runs per step, as a code (jobs numbered as first seen).
  const peers = requested.some(isPeerField);
  const slotOfGpu = new Int32Array(values.length);
  for (const slot of plan.slots) for (const g of slot.gpuIndices) slotOfGpu[g] = slot.index;
  const jobCodes = plan.topology.gpus.map(() => new Int32Array(peers ? steps : 0));
  const codeOf = new Map<PlannedJob, number>();
  for (let k = 0; k < steps; k++) {
    const t = engine.step(k);
    ts[k] = t;
    for (let g = 0; g < values.length; g++) {
      const v = values[g];
      const base = k * width;
      for (let j = 0; j < width; j++) {
        const c = columns[j];
        v[base + j] = c.rack ? rackOut[c.i][rackOfGpu[g]] : gpuOut[c.i][g];
      }
      if (peers) {
        const job = engine.currentJobs[slotOfGpu[g]];
        if (job && !codeOf.has(job)) codeOf.set(job, codeOf.size);
        jobCodes[g][k] = job ? codeOf.get(job)! : -1;
      }
    }
    for (const row of engine.jobRows(t)) jobs.push(row);
  }
  let series = new Map<string, Series>();
  const features = [...fields];
  for (const gpu of plan.topology.gpus) series.set(gpu.device, { ts, values: values[gpu.index], features });
  if (peers || requested.length !== fields.length || requested.some((f, i) => f !== fields[i])) {
    const codes = new Map(plan.topology.gpus.map((gpu) => [gpu.device, jobCodes[gpu.index]]));
    series = withPeerFields(series, codes, requested);
  }
  return { series, labels: plan.faults.map((f) => f.label), jobs };
}
