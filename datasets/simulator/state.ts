/**
 * The fleet's mutable state as struct-of-arrays (one typed array per quantity, indexed by GPU or rack), so a step
 * over 256 GPUs allocates nothing. `gpuOut[field][gpu]` / `rackOut[field][rack]` hold the values reported in the
 * current step, in catalogue field order.
 */
import { FACILITY_METRICS, GPU_METRICS } from '../../src/telemetry/catalogue.js';

export const GPU_FIELDS: readonly string[] = GPU_METRICS.fields.map((f) => f.name);
export const FACILITY_FIELDS: readonly string[] = FACILITY_METRICS.fields.map((f) => f.name);

function indexOf(fields: readonly string[], name: string): number {
  const i = fields.indexOf(name);
  if (i < 0) throw new Error(`catalogue has no field ${name}`);
  return i;
}
const g = (name: string) => indexOf(GPU_FIELDS, name);
const f = (name: string) => indexOf(FACILITY_FIELDS, name);

/** Column of each gpu_metrics field in `gpuOut`. */
export const GF = Object.freeze({
  gpuTemp: g('gpu_temp_c'),
  memTemp: g('mem_temp_c'),
  power: g('power_w'),
  powerLimit: g('power_limit_w'),
  smClock: g('sm_clock_mhz'),
  memClock: g('mem_clock_mhz'),
  util: g('gpu_util'),
  memCopy: g('mem_copy_util'),
  fbUsed: g('fb_used_mib'),
  fbTotal: g('fb_total_mib'),
  sbe: g('ecc_sbe_volatile'),
  dbe: g('ecc_dbe_volatile'),
  remapPending: g('remapped_rows_pending'),
  xidCount: g('xid_count'),
  xidLast: g('xid_last'),
  pcieReplay: g('pcie_replay_count'),
  nvlinkCrc: g('nvlink_crc_errors'),
  clockReasons: g('clock_event_reasons'),
  fan: g('fan_speed_pct'),
});

export const FF = Object.freeze({
  inlet: f('inlet_temp_c'),
  outlet: f('outlet_temp_c'),
  humidity: f('humidity_pct'),
  rackPower: f('rack_power_kw'),
  coolant: f('coolant_temp_c'),
});

/** DCGM clock event (throttle) reason bits. */
export const CLOCK_REASON = Object.freeze({
  GPU_IDLE: 0x1,
  SW_POWER_CAP: 0x4,
  HW_SLOWDOWN: 0x8,
  SW_THERMAL: 0x20,
  HW_THERMAL: 0x40,
  HW_POWER_BRAKE: 0x80,
});

export class FleetState {
  // Per GPU, physical (noise-free) state carried between steps.
  readonly util: Float64Array;
  readonly temp: Float64Array;
  readonly fan: Float64Array;
  readonly power: Float64Array;
  readonly tempDrift: Float64Array;
  readonly utilDrift: Float64Array;
  readonly sbe: Float64Array;
  readonly dbe: Float64Array;
  readonly nvlinkCrc: Float64Array;
  readonly pcieReplay: Float64Array;
  readonly remapPending: Float64Array;
  readonly xidLast: Float64Array;
  // Per rack.
  readonly inlet: Float64Array;
  readonly inletDrift: Float64Array;
  readonly humidityDrift: Float64Array;
  // Reported values of the current step.
  readonly gpuOut: Float64Array[];
  readonly rackOut: Float64Array[];

  constructor(gpus: number, racks: number) {
    const n = () => new Float64Array(gpus);
    const r = () => new Float64Array(racks);
    this.util = n();
    this.temp = n();
    this.fan = n();
    this.power = n();
    this.tempDrift = n();
    this.utilDrift = n();
    this.sbe = n();
    this.dbe = n();
    this.nvlinkCrc = n();
    this.pcieReplay = n();
    this.remapPending = n();
    this.xidLast = n();
    this.inlet = r();
    this.inletDrift = r();
    this.humidityDrift = r();
    this.gpuOut = GPU_FIELDS.map(n);
    this.rackOut = FACILITY_FIELDS.map(r);
  }
}

/** One step of an Ornstein-Uhlenbeck process: mean-reverting noise with stationary s.d. `sigma`. */
export function ouStep(x: number, decay: number, sigma: number, z: number): number {
  return x * decay + sigma * Math.sqrt(1 - decay * decay) * z;
}
