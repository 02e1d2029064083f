/**
 * One GPU's physics for one sample, and how each fault type bends it.
 *
 * Healthy: utilisation follows the job (a 30 s lag at job start/end; inference follows the day), SM clock is the
 * boost clock unless the job's power cap or temperature forces it down (DCGM clock-event bits say why), board
 * power ∝ utilisation · clock², die temperature = rack inlet + thermal resistance · power (90 s lag), fans follow
 * temperature, memory use is the job's footprint. Healthy GPUs raise no ECC, NVLink, PCIe or XID events.
 *
 * Faults (s = severity 0→1 from onset to failure):
 * - cooling_degradation: thermal resistance ×(1 + 0.5 s) and +16 s °C → temperature drift, then thermal throttling.
 * - ecc_storm: single-bit ECC rate 0.03 + 25 s² per sample, remapped rows pending up to 7 (XID 63 each), at failure
 *   a double-bit error and XID 48.
 * - psu_instability: power oscillation ±25 s % (+10 s % jitter), dips (power brake) with probability 0.05 s + 0.3 s², PCIe replays;
 *   XID 79 at failure.
 * - nvlink_degradation: NVLink CRC errors 0.05 + 60 s² per sample, utilisation −6 s %; XID 74 at failure.
 * - memory_leak: framebuffer use climbs from the job's footprint to the full framebuffer; late, allocator retries
 *   cost up to 12 % utilisation and add copy traffic; XID 31/43 at failure.
 * - straggler: this GPU's utilisation falls by 75 s % (power and temperature with it); its job's other GPUs wait
 *   for it at each synchronisation and lose 30 s %, so the job's mean utilisation and throughput drop.
 */

import { diurnal } from './diurnal.js';
import type { FleetPlan } from './faults.js';
import type { PlannedJob, Slot } from './jobs.js';
import type { Rng } from './prng.js';
import { CLOCK_REASON, type FleetState, GF, ouStep } from './state.js';
import { type FaultCursor, phaseAt, progress, severity } from './symptoms.js';

export interface GpuContext {
  readonly plan: FleetPlan;
  readonly state: FleetState;
  readonly rng: Rng;
  readonly gpuFaults: readonly FaultCursor[];
  /** Straggler faults per job slot: the straggler's peers wait for it at every synchronisation. */
  readonly stragglers: readonly FaultCursor[];
  readonly slotOfGpu: Int32Array;
  /** Index of the first job of each slot that has not ended yet. */
  readonly slotCursor: Int32Array;
}

const IDLE_FB_MIB = 480;

/** The job slot `s` runs at `ts` (advances the slot's cursor; `ts` must not decrease). */
export function activeJob(slot: Slot, cursor: Int32Array, ts: number): PlannedJob | undefined {
  let c = cursor[slot.index];
  while (c < slot.jobs.length && slot.jobs[c].end <= ts) c++;
  cursor[slot.index] = c;
  const job = slot.jobs[c];
  return job && job.start <= ts ? job : undefined;
}

export function stepGpus(ctx: GpuContext, ts: number, jobs: (PlannedJob | undefined)[]): void {
  const { plan, state, rng } = ctx;
  const dt = plan.options.samplePeriodMs;
  const utilLag = 1 - Math.exp(-dt / 30_000);
  const tempLag = 1 - Math.exp(-dt / 90_000);
  const fanLag = 1 - Math.exp(-dt / 40_000);
  const tempDriftDecay = Math.exp(-dt / 1_800_000);
  const utilDriftDecay = Math.exp(-dt / 120_000);
  const day = diurnal(ts);
  const out = state.gpuOut;
  for (const gpu of plan.topology.gpus) {
    const g = gpu.index;
    const spec = gpu.spec;
    const job = jobs[ctx.slotOfGpu[g]];
    const cursor = ctx.gpuFaults[g];
    if (cursor.repairedSince(ts, ts - dt)) {
      state.remapPending[g] = 0;
      state.xidLast[g] = 0;
    }
    const fault = cursor.at(ts);
    const phase = phaseAt(fault, ts);
    const x = phase === 'symptom' && fault ? progress(fault, ts) : 0;
    const s = severity(x);
    const type = phase === 'symptom' && fault ? fault.type : undefined;
    const failingNow = phase === 'after' && fault && ts - fault.label.failureTs < dt ? fault : undefined;

    // Utilisation.
    state.utilDrift[g] = ouStep(state.utilDrift[g], utilDriftDecay, 0.8, rng.normal());
    let utilTarget = 0;
    if (job) {
      utilTarget = job.workload === 'inference' ? job.utilBase * (0.45 + 0.55 * day) : job.utilBase;
      utilTarget = Math.min(99.5, utilTarget + state.utilDrift[g]);
      if (type === 'straggler') utilTarget *= 1 - 0.75 * s;
      else {
        const straggler = ctx.stragglers[ctx.slotOfGpu[g]].at(ts);
        if (straggler && phaseAt(straggler, ts) === 'symptom')
          utilTarget *= 1 - 0.3 * severity(progress(straggler, ts));
      }
      if (type === 'nvlink_degradation') utilTarget *= 1 - 0.06 * s;
      // Near OOM the caching allocator frees and retries: stalls and extra copies.
      if (type === 'memory_leak') utilTarget *= 1 - 0.12 * s * s;
    }
    let util = state.util[g] + (utilTarget - state.util[g]) * utilLag;
    if (!job && util < 0.5) util = 0;
    state.util[g] = util;

    // Clocks and power.
    const capW = job ? job.powerCapW : spec.tdpW;
    const dyn = job ? Math.max(0, spec.tdpW * job.intensity - spec.idleW) * (util / 100) : 0;
    const fCap = dyn > 0 && spec.idleW + dyn > capW ? Math.sqrt((capW - spec.idleW) / dyn) : 1;
    const tPrev = state.temp[g];
    const fThermal = tPrev > 85 ? Math.max(0.45, 1 - 0.035 * (tPrev - 85)) : 1;
    let reasons = job ? 0 : CLOCK_REASON.GPU_IDLE;
    if (fCap < 0.999) reasons |= CLOCK_REASON.SW_POWER_CAP;
    if (tPrev > 85) reasons |= CLOCK_REASON.SW_THERMAL;
    if (tPrev > 90) reasons |= CLOCK_REASON.HW_THERMAL | CLOCK_REASON.HW_SLOWDOWN;
    let f = Math.min(1, fCap, fThermal);
    let power = spec.idleW + dyn * f * f;
    if (type === 'psu_instability') {
      power *= 1 + s * (0.25 * Math.sin((2 * Math.PI * ts) / 47_000 + g) + 0.1 * rng.normal());
      if (rng.next() < 0.05 * s + 0.3 * s * s) {
        power *= rng.uniform(0.45, 0.7);
        f *= 0.7;
        reasons |= CLOCK_REASON.HW_POWER_BRAKE | CLOCK_REASON.HW_SLOWDOWN;
      }
    }
    state.power[g] = power;
    const smClock = job
      ? Math.round((spec.boostMhz * f) / 15) * 15 + 15 * Math.round(0.35 * rng.normal())
      : spec.idleMhz;

    // Temperatures and fans.
    const inlet = state.inlet[gpu.rackIndex];
    const cooling = type === 'cooling_degradation' ? s : 0;
    state.tempDrift[g] = ouStep(state.tempDrift[g], tempDriftDecay, 0.4, rng.normal());
    const tempTarget =
      inlet +
      4 +
      gpu.thermalOffsetC +
      state.tempDrift[g] +
      spec.thermalResistance * (1 + 0.5 * cooling) * power +
      16 * cooling;
    state.temp[g] = tPrev === 0 ? tempTarget : tPrev + (tempTarget - tPrev) * tempLag;
    const temp = state.temp[g];
    const fanTarget = Math.min(100, Math.max(25, 30 + 1.8 * (temp - 45)));
    state.fan[g] = state.fan[g] === 0 ? fanTarget : state.fan[g] + (fanTarget - state.fan[g]) * fanLag;

    // Memory.
    let fb = job ? job.fbUsedMib + 6 * rng.normal() : IDLE_FB_MIB + 2 * rng.normal();
    if (type === 'memory_leak' && job) fb = job.fbUsedMib + (spec.fbTotalMib * 0.995 - job.fbUsedMib) * x ** 1.15;
    const leakCopies = type === 'memory_leak' ? 12 * s * s : 0;
    const memCopy = job ? Math.max(0, Math.min(100, util * job.memCopyShare + leakCopies + rng.normal())) : 0;

    // Error counters and XIDs (healthy GPUs raise none).
    let xids = 0;
    if (type === 'ecc_storm') {
      state.sbe[g] += rng.poisson(0.03 + 25 * s * s);
      const pending = Math.floor(8 * s);
      if (pending > state.remapPending[g]) {
        state.remapPending[g] = pending;
        state.xidLast[g] = 63;
        xids++;
      }
    }
    if (type === 'nvlink_degradation') state.nvlinkCrc[g] += rng.poisson(0.05 + 60 * s * s);
    if (type === 'psu_instability') state.pcieReplay[g] += rng.poisson(2 * s * s);
    if (failingNow) {
      if (failingNow.type === 'ecc_storm') state.dbe[g] += 1;
      if (failingNow.label.xid !== 0) {
        state.xidLast[g] = failingNow.label.xid;
        xids++;
      }
    }

    out[GF.gpuTemp][g] = temp + 0.2 * rng.normal();
    out[GF.memTemp][g] = temp + 4 + (4 * memCopy) / 100 + 0.25 * rng.normal();
    out[GF.power][g] = Math.max(0, power * (1 + 0.008 * rng.normal()) + rng.normal());
    out[GF.powerLimit][g] = capW;
    out[GF.smClock][g] = smClock;
    out[GF.memClock][g] = spec.memClockMhz;
    out[GF.util][g] = job ? Math.max(0, Math.min(100, util + 0.6 * rng.normal())) : 0;
    out[GF.memCopy][g] = memCopy;
    out[GF.fbUsed][g] = Math.min(spec.fbTotalMib, Math.max(0, fb));
    out[GF.fbTotal][g] = spec.fbTotalMib;
    out[GF.sbe][g] = state.sbe[g];
    out[GF.dbe][g] = state.dbe[g];
    out[GF.remapPending][g] = state.remapPending[g];
    out[GF.xidCount][g] = xids;
    out[GF.xidLast][g] = state.xidLast[g];
    out[GF.pcieReplay][g] = state.pcieReplay[g];
    out[GF.nvlinkCrc][g] = state.nvlinkCrc[g];
    out[GF.clockReasons][g] = reasons;
    out[GF.fan][g] = Math.min(100, Math.max(0, state.fan[g] + 0.4 * rng.normal()));
  }
}
