import { beforeAll, describe, expect, it } from 'vitest';
import { FAULT_TYPES, type FaultLabel } from '../../src/telemetry/catalogue.js';
import {
  faultPlan,
  GPU_MODELS,
  planFleet,
  REPAIR_MS,
  SAMPLE_PERIOD_MS,
  type SimOptions,
  simulateFleet,
} from './index.js';

const OPTS: SimOptions = { seed: 11, gpus: 128, start: Date.UTC(2026, 2, 3, 6), hours: 6 };
const FIELDS = [
  'gpu_temp_c',
  'power_w',
  'gpu_util',
  'fb_used_mib',
  'fb_total_mib',
  'ecc_sbe_volatile',
  'ecc_dbe_volatile',
  'remapped_rows_pending',
  'nvlink_crc_errors',
  'pcie_replay_count',
  'xid_count',
  'xid_last',
  'clock_event_reasons',
  'sm_clock_mhz',
] as const;
type Field = (typeof FIELDS)[number];

interface Run {
  ts: number[];
  gpu: Map<string, Record<Field, number[]>>;
  rackOfDevice: Map<string, string>;
  modelOfDevice: Map<string, string>;
  inlet: Map<string, number[]>;
  throughput: Map<string, { ts: number; v: number }[]>;
  labels: FaultLabel[];
}

let run: Run;
beforeAll(() => {
  run = {
    ts: [],
    gpu: new Map(),
    rackOfDevice: new Map(),
    modelOfDevice: new Map(),
    inlet: new Map(),
    throughput: new Map(),
    labels: faultPlan(OPTS),
  };
  for (const step of simulateFleet(OPTS)) {
    run.ts.push(step.ts);
    for (const row of step.gpu) {
      const dev = `${row.symbols.node}/${row.symbols.gpu}`;
      let rec = run.gpu.get(dev);
      if (!rec) {
        rec = Object.fromEntries(FIELDS.map((f) => [f, [] as number[]])) as Record<Field, number[]>;
        run.gpu.set(dev, rec);
        run.rackOfDevice.set(dev, row.symbols.rack);
        run.modelOfDevice.set(dev, row.symbols.gpu_model);
      }
      for (const f of FIELDS) rec[f].push(row.values[f]);
    }
    for (const row of step.facility) {
      const list = run.inlet.get(row.symbols.rack) ?? [];
      list.push(row.values.inlet_temp_c);
      run.inlet.set(row.symbols.rack, list);
    }
    for (const row of step.jobs) {
      const list = run.throughput.get(row.symbols.job_id) ?? [];
      list.push({ ts: row.ts, v: row.values.throughput });
      run.throughput.set(row.symbols.job_id, list);
    }
  }
});

const idx = (ts: number) => Math.round((ts - OPTS.start) / SAMPLE_PERIOD_MS);
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: readonly number[]) => {
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
};
/** Values of a series in the 10 min before onset, and in the last 10 % of the symptom phase. */
function beforeAndLate(series: readonly number[], l: FaultLabel): [number[], number[]] {
  const on = idx(l.onsetTs);
  const fail = idx(l.failureTs);
  const late = Math.max(1, Math.round((fail - on) * 0.1));
  return [series.slice(on - 60, on), series.slice(fail - late, fail)];
}
const labelOf = (type: string) => run.labels.filter((l) => l.faultType === type);
const gpuOf = (l: FaultLabel) => run.gpu.get(`${l.node}/${l.gpu}`)!;

describe('fault plan', () => {
  it('injects every fault type at least once in a 6-hour run, with sane labels', () => {
    expect(new Set(run.labels.map((l) => l.faultType))).toEqual(new Set(FAULT_TYPES));
    for (const l of run.labels) {
      const span = l.failureTs - l.onsetTs;
      expect(span).toBeGreaterThanOrEqual(30 * 60_000);
      expect(span).toBeLessThanOrEqual(120 * 60_000);
      expect(l.onsetTs).toBeGreaterThanOrEqual(OPTS.start);
      expect(l.failureTs).toBeLessThan(OPTS.start + OPTS.hours * 3_600_000);
      if (l.faultType === 'facility_cooling_failure') expect(l.device).toBe(l.rack);
      else if (l.faultType === 'straggler') expect(run.throughput.has(l.device)).toBe(true);
      else expect(l.device).toBe(`${l.node}/${l.gpu}`);
    }
  });

  it('scales the fault count with fleet size and duration, and honours faultTypes', () => {
    const day = faultPlan({ ...OPTS, gpus: 256, hours: 24 });
    expect(day.length).toBeGreaterThanOrEqual(Math.round(256 * 0.05));
    expect(day.length).toBeLessThanOrEqual(Math.round(256 * 0.1));
    const onsets = day.map((l) => l.onsetTs - OPTS.start);
    expect(Math.min(...onsets)).toBeLessThan(6 * 3_600_000); // spread over the day, not bunched
    expect(Math.max(...onsets)).toBeGreaterThan(16 * 3_600_000);
    const only = faultPlan({ ...OPTS, faultTypes: ['ecc_storm'], faultsPerGpuDay: 0.2 });
    expect(only.length).toBeGreaterThan(1);
    expect(only.every((l) => l.faultType === 'ecc_storm')).toBe(true);
    expect(faultPlan({ ...OPTS, faultsPerGpuDay: 0 })).toEqual([]);
  });
});

describe('symptoms grow between onset and failure', () => {
  it('cooling_degradation: temperature drifts up, then thermal throttling', () => {
    for (const l of labelOf('cooling_degradation')) {
      const s = gpuOf(l);
      const [pre, late] = beforeAndLate(s.gpu_temp_c, l);
      expect(mean(late) - mean(pre)).toBeGreaterThan(10);
      const mid = s.gpu_temp_c[idx((l.onsetTs + l.failureTs) / 2)];
      expect(mid - mean(pre)).toBeGreaterThan(2); // already visible half-way
    }
  });

  it('ecc_storm: single-bit errors and pending remaps climb, then a double-bit error with XID 48', () => {
    for (const l of labelOf('ecc_storm')) {
      const s = gpuOf(l);
      const on = idx(l.onsetTs);
      const fail = idx(l.failureTs);
      const half = idx((l.onsetTs + l.failureTs) / 2);
      expect(s.ecc_sbe_volatile[half] - s.ecc_sbe_volatile[on - 1]).toBeGreaterThan(5);
      expect(s.ecc_sbe_volatile[fail - 1] - s.ecc_sbe_volatile[half]).toBeGreaterThan(100);
      expect(s.remapped_rows_pending[fail - 1]).toBeGreaterThan(0);
      expect(s.ecc_dbe_volatile[fail] - s.ecc_dbe_volatile[fail - 1]).toBe(1);
      expect(s.xid_last[fail]).toBe(48);
      expect(s.xid_count[fail]).toBe(1);
    }
  });

  it('psu_instability: power oscillates and dips, XID 79 at failure', () => {
    for (const l of labelOf('psu_instability')) {
      const s = gpuOf(l);
      const [pre, late] = beforeAndLate(s.power_w, l);
      expect(sd(late)).toBeGreaterThan(3 * sd(pre));
      expect(s.xid_last[idx(l.failureTs)]).toBe(l.xid);
    }
  });

  it('nvlink_degradation: CRC error rate rises', () => {
    for (const l of labelOf('nvlink_degradation')) {
      const s = gpuOf(l).nvlink_crc_errors;
      const on = idx(l.onsetTs);
      const fail = idx(l.failureTs);
      const half = Math.round((on + fail) / 2);
      const early = s[half] - s[on];
      const late = s[fail - 1] - s[half];
      expect(late).toBeGreaterThan(3 * early);
      expect(late).toBeGreaterThan(200);
    }
  });

  it('memory_leak: framebuffer use climbs to the full framebuffer, then XID 31/43', () => {
    for (const l of labelOf('memory_leak')) {
      const s = gpuOf(l);
      const [pre, late] = beforeAndLate(s.fb_used_mib, l);
      expect(mean(late)).toBeGreaterThan(mean(pre));
      expect(Math.max(...late)).toBeGreaterThan(0.97 * s.fb_total_mib[0]);
      expect([31, 43]).toContain(s.xid_last[idx(l.failureTs)]);
    }
  });

  it('straggler: one GPU loses utilisation and its job loses throughput', () => {
    for (const l of labelOf('straggler')) {
      const [pre, late] = beforeAndLate(gpuOf(l).gpu_util, l);
      expect(mean(pre) - mean(late)).toBeGreaterThan(30);
      // The straggler stands out from the job's other GPUs (which only wait for it).
      const plan = planFleet(OPTS);
      const fault = plan.faults.find((f) => f.type === 'straggler' && f.label.onsetTs === l.onsetTs)!;
      const peers = plan.slots[fault.slotIndex].gpuIndices
        .map((g) => plan.topology.gpus[g].device)
        .filter((d) => d !== `${l.node}/${l.gpu}`);
      expect(peers.length).toBeGreaterThan(0);
      const peerLate = mean(peers.map((d) => mean(beforeAndLate(run.gpu.get(d)!.gpu_util, l)[1])));
      expect(mean(late)).toBeLessThan(0.6 * peerLate);
      const thr = run.throughput.get(l.device)!;
      const before = thr.filter((p) => p.ts < l.onsetTs).map((p) => p.v);
      const end = thr.filter((p) => p.ts >= l.failureTs - (l.failureTs - l.onsetTs) * 0.1 && p.ts < l.failureTs);
      expect(mean(end.map((p) => p.v))).toBeLessThan(0.85 * mean(before.slice(-30)));
    }
  });

  it('facility_cooling_failure: the rack inlet rises and every GPU in the rack runs hotter for its power', () => {
    for (const l of labelOf('facility_cooling_failure')) {
      const [preIn, lateIn] = beforeAndLate(run.inlet.get(l.rack)!, l);
      expect(mean(lateIn) - mean(preIn)).toBeGreaterThan(10);
      const devices = [...run.rackOfDevice].filter(([, rack]) => rack === l.rack).map(([d]) => d);
      expect(devices.length).toBeGreaterThan(0);
      // Temperature above what the GPU's own power explains (jobs starting or ending move power, not this).
      for (const d of devices) {
        const s = run.gpu.get(d)!;
        const rth = GPU_MODELS[run.modelOfDevice.get(d)!].thermalResistance;
        const margin = s.gpu_temp_c.map((t, i) => t - rth * s.power_w[i]);
        const [pre, late] = beforeAndLate(margin, l);
        expect(mean(late) - mean(pre), d).toBeGreaterThan(6);
      }
    }
  });
});

describe('healthy devices and counters', () => {
  it('keeps GPUs that never fault free of error events and throttling', () => {
    const faulty = new Set(run.labels.map((l) => `${l.node}/${l.gpu}`));
    const facilityRacks = new Set(labelOf('facility_cooling_failure').map((l) => l.rack));
    let checked = 0;
    for (const [dev, s] of run.gpu) {
      if (faulty.has(dev) || facilityRacks.has(run.rackOfDevice.get(dev)!)) continue;
      checked++;
      for (const f of ['ecc_sbe_volatile', 'ecc_dbe_volatile', 'nvlink_crc_errors', 'pcie_replay_count'] as const) {
        expect(new Set(s[f]).size, `${dev} ${f}`).toBe(1);
      }
      expect(Math.max(...s.xid_count)).toBe(0);
      expect(Math.max(...s.remapped_rows_pending)).toBe(0);
      expect(Math.max(...s.gpu_temp_c)).toBeLessThan(84);
      expect(s.clock_event_reasons.every((r) => (r & (0x20 | 0x40 | 0x80)) === 0)).toBe(true);
    }
    expect(checked).toBeGreaterThan(64);
  });

  it('keeps counters monotone on every GPU, faulty ones included', () => {
    const decreases: string[] = [];
    let grew = 0;
    for (const [dev, s] of run.gpu) {
      for (const f of ['ecc_sbe_volatile', 'ecc_dbe_volatile', 'nvlink_crc_errors', 'pcie_replay_count'] as const) {
        const xs = s[f];
        for (let i = 1; i < xs.length; i++) if (xs[i] < xs[i - 1]) decreases.push(`${dev} ${f} @${i}`);
        if (xs[xs.length - 1] > xs[0]) grew++;
      }
    }
    expect(decreases).toEqual([]);
    expect(grew).toBeGreaterThan(0); // the check saw counters that actually move
  });

  it('drains a failed GPU until repair, then clears its pending remaps and last XID', () => {
    for (const l of labelOf('ecc_storm')) {
      const s = gpuOf(l);
      const fail = idx(l.failureTs);
      const repaired = idx(l.failureTs + REPAIR_MS);
      expect(Math.max(...s.gpu_util.slice(fail, repaired))).toBe(0);
      if (repaired < run.ts.length) {
        expect(s.xid_last[repaired]).toBe(0);
        expect(s.remapped_rows_pending[repaired]).toBe(0);
      }
    }
  });
});
