/**
 * The metric catalogue: every telemetry table the product stores, its identity (SYMBOL) columns and its
 * numeric fields. The QuestDB schema (migrations), the ILP writer, the ingest API schemas, the simulator and
 * the feature code all read this one table, so a field is added in exactly one place.
 */

export type FieldType = 'double' | 'long';

export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  /** Unit or meaning, for docs and the OpenAPI description. */
  readonly doc: string;
}

export interface TableSpec {
  readonly name: TelemetryTable;
  /** SYMBOL columns that identify a series (with the timestamp they form the dedup key). */
  readonly symbols: readonly string[];
  readonly fields: readonly FieldSpec[];
  /** Symbols required on every row (the rest are optional descriptors). */
  readonly requiredSymbols: readonly string[];
}

export type TelemetryTable = 'gpu_metrics' | 'facility_metrics' | 'job_metrics';

const d = (name: string, doc: string): FieldSpec => ({ name, type: 'double', doc });
const l = (name: string, doc: string): FieldSpec => ({ name, type: 'long', doc });

/** DCGM-style per-GPU fields. Counters are LONG; gauges are DOUBLE. */
export const GPU_METRICS: TableSpec = {
  name: 'gpu_metrics',
  /** `job_id`: the job the GPU runs at this sample, absent when idle (migration 005; peer features use it). */
  symbols: ['cluster', 'rack', 'node', 'gpu', 'gpu_model', 'job_id'],
  requiredSymbols: ['cluster', 'node', 'gpu'],
  fields: [
    d('gpu_temp_c', 'GPU core temperature, °C (DCGM_FI_DEV_GPU_TEMP)'),
    d('mem_temp_c', 'HBM temperature, °C (DCGM_FI_DEV_MEMORY_TEMP)'),
    d('power_w', 'board power draw, W (DCGM_FI_DEV_POWER_USAGE)'),
    d('power_limit_w', 'enforced power limit, W'),
    d('sm_clock_mhz', 'SM clock, MHz'),
    d('mem_clock_mhz', 'memory clock, MHz'),
    d('gpu_util', 'GPU utilisation, % (0-100)'),
    d('mem_copy_util', 'memory copy utilisation, % (0-100)'),
    d('fb_used_mib', 'framebuffer used, MiB'),
    d('fb_total_mib', 'framebuffer total, MiB'),
    l('ecc_sbe_volatile', 'single-bit ECC errors since last driver load (counter)'),
    l('ecc_dbe_volatile', 'double-bit ECC errors since last driver load (counter)'),
    l('remapped_rows_pending', 'rows pending remapping'),
    l('xid_count', 'XID events in this sample interval'),
    l('xid_last', 'last XID code seen (0 = none)'),
    l('pcie_replay_count', 'PCIe replay counter'),
    l('nvlink_crc_errors', 'NVLink CRC flit errors (counter)'),
    l('clock_event_reasons', 'clock throttle reasons bitmask (DCGM_FI_DEV_CLOCK_THROTTLE_REASONS)'),
    d('fan_speed_pct', 'fan speed, % (0-100)'),
  ],
};

export const FACILITY_METRICS: TableSpec = {
  name: 'facility_metrics',
  symbols: ['site', 'room', 'rack', 'sensor'],
  requiredSymbols: ['site', 'rack', 'sensor'],
  fields: [
    d('inlet_temp_c', 'rack inlet air temperature, °C'),
    d('outlet_temp_c', 'rack outlet air temperature, °C'),
    d('humidity_pct', 'relative humidity, %'),
    d('rack_power_kw', 'rack power draw, kW'),
    d('coolant_temp_c', 'coolant supply temperature, °C'),
  ],
};

export const JOB_METRICS: TableSpec = {
  name: 'job_metrics',
  symbols: ['job_id', 'workload', 'gpu_model', 'cluster'],
  requiredSymbols: ['job_id', 'workload', 'gpu_model'],
  fields: [
    d('params_billion', 'model size, billions of parameters'),
    l('n_gpus', 'GPUs allocated to the job'),
    l('batch_size', 'global batch size'),
    d('power_cap_w', 'per-GPU power cap, W'),
    d('sm_clock_mhz', 'mean SM clock across the job, MHz'),
    d('gpu_temp_c', 'mean GPU temperature across the job, °C'),
    d('throughput', 'samples or tokens per second'),
    d('gpu_util_mean', 'mean GPU utilisation across the job, %'),
  ],
};

export const TELEMETRY_TABLES: Readonly<Record<TelemetryTable, TableSpec>> = {
  gpu_metrics: GPU_METRICS,
  facility_metrics: FACILITY_METRICS,
  job_metrics: JOB_METRICS,
};

/** One telemetry row as the writer, the API and the simulator exchange it. */
export interface TelemetryRow {
  /** Epoch milliseconds (UTC). */
  readonly ts: number;
  readonly symbols: Readonly<Record<string, string>>;
  readonly values: Readonly<Record<string, number>>;
}

/** Fault types the simulator injects and `fault_labels` records. */
export const FAULT_TYPES = [
  'cooling_degradation',
  'ecc_storm',
  'psu_instability',
  'nvlink_degradation',
  'memory_leak',
  'straggler',
  'facility_cooling_failure',
] as const;
export type FaultType = (typeof FAULT_TYPES)[number];

/** Ground truth for one injected (or operator-labelled) fault. */
export interface FaultLabel {
  /** Device id: `node/gpu` for GPU faults, the rack for facility faults, the job id for stragglers. */
  readonly device: string;
  readonly cluster: string;
  readonly rack: string;
  readonly node: string;
  readonly gpu: string;
  readonly faultType: FaultType;
  /** Epoch ms when the first symptom appears. */
  readonly onsetTs: number;
  /** Epoch ms when the device fails (or the symptom peaks, for faults that do not end in failure). */
  readonly failureTs: number;
  /** XID the failure raises, when it raises one (48, 79, 31 ...), else 0. */
  readonly xid: number;
  /**
   * A degradation caught before the device failed (a field label without failure time): `failureTs` is then only
   * the end of its symptomatic span (onset + CAUGHT_DEGRADATION_SPAN_MS), and no failure happened.
   */
  readonly caught?: boolean;
}

/**
 * How long a caught degradation counts as symptomatic after its start: a label without failure time says when it
 * began, not when it would have ended. Two hours, about the simulator's degradations before they fail.
 */
export const CAUGHT_DEGRADATION_SPAN_MS = 2 * 3_600_000;

/** `node/gpu`: the device id used across features, scores and recommendations. */
export const deviceId = (node: string, gpu: string): string => `${node}/${gpu}`;
