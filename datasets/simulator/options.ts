/**
 * Simulator options: the public `SimOptions`, their documented defaults, and the one place they are validated.
 */
import { AppError } from '../../src/errors.js';
import { FAULT_TYPES, type FaultType } from '../../src/telemetry/catalogue.js';

/** Sample period of simulated telemetry. */
export const SAMPLE_PERIOD_MS = 10_000;

export interface SimOptions {
  seed: number;
  /** Fleet size; GPUs fill nodes of `gpusPerNode`, nodes fill racks, racks fill clusters. */
  gpus: number;
  /** Epoch ms of the first sample. */
  start: number;
  hours: number;
  /** @defaultValue SAMPLE_PERIOD_MS */
  samplePeriodMs?: number;
  /** Injected faults per GPU per simulated day. @defaultValue 0.075 (7.5 % of GPUs a day) */
  faultsPerGpuDay?: number;
  /** Fault types to inject. @defaultValue every FaultType */
  faultTypes?: readonly FaultType[];
  /** @defaultValue 8 */
  gpusPerNode?: number;
  /** @defaultValue 4 */
  nodesPerRack?: number;
  /** @defaultValue 4 */
  racksPerCluster?: number;
  /**
   * Every job's power cap multiplied by this, nothing else changed (the same jobs, faults and noise): the
   * counterfactual a power-cap forecast predicts, to check it against (test/throughput-cap-response.test.ts).
   * @defaultValue 1
   */
  capScale?: number;
}

export interface ResolvedOptions {
  readonly seed: number;
  readonly gpus: number;
  readonly start: number;
  readonly hours: number;
  readonly samplePeriodMs: number;
  readonly faultsPerGpuDay: number;
  readonly faultTypes: readonly FaultType[];
  readonly gpusPerNode: number;
  readonly nodesPerRack: number;
  readonly racksPerCluster: number;
  readonly capScale: number;
  /** Number of samples: `floor(hours h / samplePeriodMs)`. */
  readonly steps: number;
  /** Exclusive end of the run, `start + steps * samplePeriodMs`. */
  readonly end: number;
}

function check(ok: boolean, field: string, message: string): void {
  if (!ok) throw new AppError('VALIDATION_FAILED', `${field}: ${message}`, { field });
}

export function resolveOptions(opts: SimOptions): ResolvedOptions {
  const samplePeriodMs = opts.samplePeriodMs ?? SAMPLE_PERIOD_MS;
  const faultTypes = opts.faultTypes ?? FAULT_TYPES;
  const gpusPerNode = opts.gpusPerNode ?? 8;
  const nodesPerRack = opts.nodesPerRack ?? 4;
  const racksPerCluster = opts.racksPerCluster ?? 4;
  const faultsPerGpuDay = opts.faultsPerGpuDay ?? 0.075;
  const capScale = opts.capScale ?? 1;
  check(Number.isInteger(opts.seed), 'seed', `must be an integer, got ${opts.seed}`);
  check(Number.isInteger(opts.gpus) && opts.gpus >= 1, 'gpus', `must be an integer >= 1, got ${opts.gpus}`);
  check(Number.isFinite(opts.start) && opts.start >= 0, 'start', `must be an epoch-ms timestamp, got ${opts.start}`);
  check(Number.isFinite(opts.hours) && opts.hours > 0, 'hours', `must be a number > 0, got ${opts.hours}`);
  check(
    Number.isInteger(samplePeriodMs) && samplePeriodMs >= 1000,
    'samplePeriodMs',
    `must be an integer >= 1000, got ${samplePeriodMs}`,
  );
  check(Number.isFinite(faultsPerGpuDay) && faultsPerGpuDay >= 0, 'faultsPerGpuDay', 'must be a number >= 0');
  check(Number.isFinite(capScale) && capScale > 0 && capScale <= 1, 'capScale', `must be in (0, 1], got ${capScale}`);
  for (const t of faultTypes) check(FAULT_TYPES.includes(t), 'faultTypes', `unknown fault type "${t}"`);
  for (const [name, v] of [
    ['gpusPerNode', gpusPerNode],
    ['nodesPerRack', nodesPerRack],
    ['racksPerCluster', racksPerCluster],
  ] as const) {
    check(Number.isInteger(v) && v >= 1, name, `must be an integer >= 1, got ${v}`);
  }
  const steps = Math.floor((opts.hours * 3_600_000) / samplePeriodMs);
  check(steps >= 1, 'hours', 'is shorter than one sample period');
  return Object.freeze({
    seed: opts.seed,
    gpus: opts.gpus,
    start: Math.trunc(opts.start),
    hours: opts.hours,
    samplePeriodMs,
    faultsPerGpuDay,
    faultTypes: [...faultTypes],
    gpusPerNode,
    nodesPerRack,
    racksPerCluster,
    capScale,
    steps,
    end: Math.trunc(opts.start) + steps * samplePeriodMs,
  });
}
