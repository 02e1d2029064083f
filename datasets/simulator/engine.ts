/**
 * Advances the whole fleet one sample at a time: racks first (inlet air), then GPUs, then the jobs' aggregate
 * rows. Everything random comes from streams of the run's seed, so the same options give the same numbers.
 */
import type { TelemetryRow } from '../../src/telemetry/catalogue.js';
import { diurnal } from './diurnal.js';
import { stepRacks } from './facility.js';
import type { FleetPlan, PlannedFault } from './faults.js';
import { activeJob, stepGpus } from './gpu-model.js';
import type { PlannedJob } from './jobs.js';
import { Rng } from './prng.js';
import { FF, FleetState, GF } from './state.js';
import { FaultCursor } from './symptoms.js';
import { jobThroughput, THROUGHPUT_NOISE } from './throughput.js';

/** Samples simulated before `start` so temperatures and utilisation begin settled. */
const WARMUP_STEPS = 60;
/** No job_metrics rows in a job's first minute (loading, compilation, the utilisation ramp). */
const JOB_WARMUP_MS = 60_000;

export class FleetEngine {
  readonly state: FleetState;
  /** The job each slot runs in the current step. */
  readonly currentJobs: (PlannedJob | undefined)[];
  private readonly noise: Rng;
  private readonly gpuFaults: FaultCursor[];
  private readonly stragglers: FaultCursor[];
  private readonly rackFaults: FaultCursor[];
  private readonly slotOfGpu: Int32Array;
  private readonly slotCursor: Int32Array;
  private readonly jobNoise: Rng;
  /** Per GPU: the job its cached row symbols were built for, and those symbols (with `job_id` while it runs one). */
  private readonly rowSymbols: { job: PlannedJob | undefined; symbols: Readonly<Record<string, string>> }[];

  constructor(readonly plan: FleetPlan) {
    const { topology, slots, faults } = plan;
    this.state = new FleetState(topology.gpus.length, topology.racks.length);
    this.noise = new Rng(plan.options.seed, 'sensor-noise');
    this.jobNoise = new Rng(plan.options.seed, 'job-noise');
    const byGpu: PlannedFault[][] = topology.gpus.map(() => []);
    const byRack: PlannedFault[][] = topology.racks.map(() => []);
    for (const f of faults) (f.gpuIndex >= 0 ? byGpu[f.gpuIndex] : byRack[f.rackIndex]).push(f);
    this.gpuFaults = byGpu.map((list) => new FaultCursor(list));
    this.stragglers = slots.map(
      (slot) => new FaultCursor(faults.filter((f) => f.type === 'straggler' && f.slotIndex === slot.index)),
    );
    this.rackFaults = byRack.map((list) => new FaultCursor(list));
    this.slotOfGpu = new Int32Array(topology.gpus.length);
    for (const slot of slots) for (const g of slot.gpuIndices) this.slotOfGpu[g] = slot.index;
    this.slotCursor = new Int32Array(slots.length);
    this.currentJobs = slots.map(() => undefined);
    this.rowSymbols = topology.gpus.map((gpu) => ({ job: undefined, symbols: gpu.symbols }));
    // Counts accumulated before the run (constant during it): a few GPUs carry old corrected errors.
    const history = new Rng(plan.options.seed, 'counter-history');
    for (const gpu of topology.gpus) {
      if (history.next() < 0.08) this.state.sbe[gpu.index] = history.int(1, 30);
      if (history.next() < 0.05) this.state.nvlinkCrc[gpu.index] = history.int(1, 6);
    }
    const period = plan.options.samplePeriodMs;
    for (let k = WARMUP_STEPS; k > 0; k--) this.advance(plan.options.start - k * period);
  }

  /** Simulate sample `k` of the run (k must increase by one each call); returns its timestamp. */
  step(k: number): number {
    const ts = this.plan.options.start + k * this.plan.options.samplePeriodMs;
    this.advance(ts);
    return ts;
  }

  private advance(ts: number): void {
    const { plan, state } = this;
    for (const slot of plan.slots) this.currentJobs[slot.index] = activeJob(slot, this.slotCursor, ts);
    stepRacks(
      {
        topology: plan.topology,
        state,
        rng: this.noise,
        rackFaults: this.rackFaults,
        samplePeriodMs: plan.options.samplePeriodMs,
      },
      ts,
      diurnal(ts),
    );
    stepGpus(
      {
        plan,
        state,
        rng: this.noise,
        gpuFaults: this.gpuFaults,
        stragglers: this.stragglers,
        slotOfGpu: this.slotOfGpu,
        slotCursor: this.slotCursor,
      },
      ts,
      this.currentJobs,
    );
  }

  /** gpu_metrics rows of the current step, in GPU order; `job_id` names the job the GPU's slot runs, if any. */
  gpuRows(ts: number): TelemetryRow[] {
    const o = this.state.gpuOut;
    const rows: TelemetryRow[] = new Array(this.plan.topology.gpus.length);
    for (const gpu of this.plan.topology.gpus) {
      const g = gpu.index;
      // Symbols change only when the GPU's job does: rebuilt then, shared by every row in between.
      const job = this.currentJobs[this.slotOfGpu[g]];
      const cached = this.rowSymbols[g];
      if (cached.job !== job) {
        cached.job = job;
        cached.symbols = job ? Object.freeze({ ...gpu.symbols, job_id: job.id }) : gpu.symbols;
      }
      rows[g] = {
        ts,
        symbols: cached.symbols,
        values: {
          gpu_temp_c: o[GF.gpuTemp][g],
          mem_temp_c: o[GF.memTemp][g],
          power_w: o[GF.power][g],
          power_limit_w: o[GF.powerLimit][g],
          sm_clock_mhz: o[GF.smClock][g],
          mem_clock_mhz: o[GF.memClock][g],
          gpu_util: o[GF.util][g],
          mem_copy_util: o[GF.memCopy][g],
          fb_used_mib: o[GF.fbUsed][g],
          fb_total_mib: o[GF.fbTotal][g],
          ecc_sbe_volatile: o[GF.sbe][g],
          ecc_dbe_volatile: o[GF.dbe][g],
          remapped_rows_pending: o[GF.remapPending][g],
          xid_count: o[GF.xidCount][g],
          xid_last: o[GF.xidLast][g],
          pcie_replay_count: o[GF.pcieReplay][g],
          nvlink_crc_errors: o[GF.nvlinkCrc][g],
          clock_event_reasons: o[GF.clockReasons][g],
          fan_speed_pct: o[GF.fan][g],
        },
      };
    }
    return rows;
  }

  /** facility_metrics rows of the current step, one per rack. */
  facilityRows(ts: number): TelemetryRow[] {
    const o = this.state.rackOut;
    return this.plan.topology.racks.map((rack) => {
      const r = rack.index;
      return {
        ts,
        symbols: rack.symbols,
        values: {
          inlet_temp_c: o[FF.inlet][r],
          outlet_temp_c: o[FF.outlet][r],
          humidity_pct: o[FF.humidity][r],
          rack_power_kw: o[FF.rackPower][r],
          coolant_temp_c: o[FF.coolant][r],
        },
      };
    });
  }

  /** job_metrics rows of the current step: one per running job, aggregated over its GPUs. */
  jobRows(ts: number): TelemetryRow[] {
    const o = this.state.gpuOut;
    const rows: TelemetryRow[] = [];
    for (const job of this.currentJobs) {
      // A job reports throughput once its first iterations are done (after the start-up ramp).
      if (!job || ts - job.start < JOB_WARMUP_MS) continue;
      let clock = 0;
      let temp = 0;
      let util = 0;
      for (const g of job.gpuIndices) {
        clock += o[GF.smClock][g];
        temp += o[GF.gpuTemp][g];
        util += o[GF.util][g];
      }
      const n = job.gpuIndices.length;
      const inputs = {
        gpuModel: job.gpuModel,
        paramsBillion: job.paramsBillion,
        nGpus: n,
        batchSize: job.batchSize,
        powerCapW: job.powerCapW,
        smClockMhz: clock / n,
        gpuTempC: temp / n,
        gpuUtilMean: util / n,
      };
      const throughput = jobThroughput(inputs) * (1 + THROUGHPUT_NOISE * this.jobNoise.normal());
      rows.push({
        ts,
        symbols: job.symbols,
        values: {
          params_billion: job.paramsBillion,
          n_gpus: n,
          batch_size: job.batchSize,
          power_cap_w: job.powerCapW,
          sm_clock_mhz: inputs.smClockMhz,
          gpu_temp_c: inputs.gpuTempC,
          throughput: Math.max(0, throughput),
          gpu_util_mean: inputs.gpuUtilMean,
        },
      });
    }
    return rows;
  }
}
