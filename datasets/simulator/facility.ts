/**
 * Rack air and power: inlet temperature follows the time of day, the rack's place in the hall, slow drift and
 * hot-air recirculation from its own power draw (the coupling that makes a busy rack warm its GPUs); a facility
 * cooling failure adds up to +20 °C at the inlet and +3 °C on the coolant loop. Runs before the GPUs each step
 * and uses their power from the previous step.
 */
import type { PlannedFault } from './faults.js';
import type { Rng } from './prng.js';
import { FF, type FleetState, ouStep } from './state.js';
import { type FaultCursor, phaseAt, progress, severity } from './symptoms.js';
import type { Topology } from './topology.js';

/** Non-GPU power of a node (CPUs, NICs, fans), W. */
const NODE_BASE_W = 900;
/** Peak inlet rise of a facility cooling failure, °C. */
const FACILITY_INLET_RISE_C = 20;

export interface RackContext {
  readonly topology: Topology;
  readonly state: FleetState;
  readonly rng: Rng;
  readonly rackFaults: readonly FaultCursor[];
  readonly samplePeriodMs: number;
}

/** Extra inlet (and coolant) heat a facility fault causes at `ts`, as a share of its peak. */
export function facilityHeat(fault: PlannedFault | undefined, ts: number): number {
  const phase = phaseAt(fault, ts);
  if (!fault || phase === 'none') return 0;
  if (phase === 'symptom') return severity(progress(fault, ts));
  return Math.exp(-(ts - fault.label.failureTs) / (4 * 60_000));
}

export function stepRacks(ctx: RackContext, ts: number, day: number): void {
  const { topology, state, rng } = ctx;
  const dt = ctx.samplePeriodMs;
  const inletLag = 1 - Math.exp(-dt / 180_000);
  const driftDecay = Math.exp(-dt / 1_200_000);
  const out = state.rackOut;
  for (const rack of topology.racks) {
    const r = rack.index;
    let watts = 0;
    for (const g of rack.gpuIndices) watts += state.power[g];
    const nodes = Math.ceil(rack.gpuIndices.length / 8);
    const kw = (watts + nodes * NODE_BASE_W) / 1000;
    const heat = facilityHeat(ctx.rackFaults[r].at(ts), ts);
    state.inletDrift[r] = ouStep(state.inletDrift[r], driftDecay, 0.3, rng.normal());
    state.humidityDrift[r] = ouStep(state.humidityDrift[r], driftDecay, 1.5, rng.normal());
    const target =
      21.5 + 1.5 * day + rack.inletOffsetC + 0.04 * (kw - 15) + state.inletDrift[r] + FACILITY_INLET_RISE_C * heat;
    state.inlet[r] = state.inlet[r] === 0 ? target : state.inlet[r] + (target - state.inlet[r]) * inletLag;
    out[FF.inlet][r] = state.inlet[r] + 0.1 * rng.normal();
    out[FF.outlet][r] = state.inlet[r] + 0.38 * kw + 0.15 * rng.normal();
    out[FF.humidity][r] = 44 - 5 * day + state.humidityDrift[r] + 0.3 * rng.normal();
    out[FF.rackPower][r] = kw * (1 + 0.005 * rng.normal());
    out[FF.coolant][r] = 17.5 + 0.8 * day + 3 * heat + 0.08 * rng.normal();
  }
}
