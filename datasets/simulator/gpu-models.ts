/**
 * Datasheet-level numbers for the GPU models the simulator deploys. Only what the physics needs: power, clocks,
 * memory, a thermal resistance that puts a fully loaded part ~40 °C above its inlet, and a training-rate constant
 * (tokens/s per GPU for a 1 B-parameter model at 1 GHz SM clock, ~40 % MFU) that makes throughputs plausible.
 */

export interface GpuModelSpec {
  readonly name: string;
  readonly tdpW: number;
  readonly idleW: number;
  readonly boostMhz: number;
  readonly idleMhz: number;
  readonly memClockMhz: number;
  readonly fbTotalMib: number;
  /** °C per W from board power to die temperature above inlet. */
  readonly thermalResistance: number;
  /** Tokens/s per GPU per GHz for a 1 B-parameter model (throughput ∝ clock / params). */
  readonly rateK: number;
}

export const GPU_MODELS: Readonly<Record<string, GpuModelSpec>> = Object.freeze({
  H100: {
    name: 'H100',
    tdpW: 700,
    idleW: 72,
    boostMhz: 1980,
    idleMhz: 345,
    memClockMhz: 2619,
    fbTotalMib: 81559,
    thermalResistance: 0.058,
    rateK: 33_000,
  },
  A100: {
    name: 'A100',
    tdpW: 400,
    idleW: 55,
    boostMhz: 1410,
    idleMhz: 210,
    memClockMhz: 1593,
    fbTotalMib: 81920,
    thermalResistance: 0.1,
    rateK: 16_500,
  },
  H200: {
    name: 'H200',
    tdpW: 700,
    idleW: 75,
    boostMhz: 1980,
    idleMhz: 345,
    memClockMhz: 3201,
    fbTotalMib: 143771,
    thermalResistance: 0.056,
    rateK: 37_000,
  },
  L40S: {
    name: 'L40S',
    tdpW: 350,
    idleW: 35,
    boostMhz: 2520,
    idleMhz: 210,
    memClockMhz: 9001,
    fbTotalMib: 46068,
    thermalResistance: 0.115,
    rateK: 8_500,
  },
});

/** Cluster i gets model CLUSTER_MODELS[i % length]: the default 2-cluster fleet is one H100 and one A100 hall. */
export const CLUSTER_MODELS: readonly string[] = ['H100', 'A100', 'H200', 'L40S'];
