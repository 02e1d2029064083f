import { describe, expect, it } from 'vitest';
import type { Series } from '../../src/features/windows.js';
import type { FaultLabel } from '../../src/telemetry/catalogue.js';
import { entitiesFromCsv, entitiesFromFaultLabels, ROW_DOWN, ROW_HEALTHY, ROW_SYMPTOM } from './entities.js';
import { buildWindowSplits } from './windows.js';

const MIN = 60_000;
const rows = 60; // one row a minute
const series = (offset: number): Series => ({
  ts: Float64Array.from({ length: rows }, (_, i) => i * MIN),
  values: Float64Array.from({ length: rows * 2 }, (_, k) => (k % 2 === 0 ? offset + (k >> 1) : 7)),
  features: ['gpu_temp_c', 'ecc_sbe_volatile'],
});
const label = (device: string, faultType: FaultLabel['faultType'], onset: number, failure: number): FaultLabel => ({
  device,
  cluster: 'c0',
  rack: 'c0-r0',
  node: 'n',
  gpu: '0',
  faultType,
  onsetTs: onset * MIN,
  failureTs: failure * MIN,
  xid: 0,
});

describe('entitiesFromFaultLabels', () => {
  const map = new Map([
    ['c0-r0-n0/0', series(0)],
    ['c0-r0-n0/1', series(100)],
    ['c0-r1-n0/0', series(200)],
  ]);
  const labels = [
    label('c0-r0-n0/0', 'ecc_storm', 10, 20),
    label('c0-r0', 'facility_cooling_failure', 40, 45),
    { ...label('j1', 'straggler', 50, 52), node: 'c0-r1-n0', gpu: '0' },
  ];
  const rackOf = (d: string) => d.split('-n')[0];
  const [gpu0, gpu1, other] = entitiesFromFaultLabels(map, labels, {
    downMs: 5 * MIN,
    facilityRecoveryMs: 2 * MIN,
    rackOf,
  });

  it('marks symptom rows from onset to failure, then down rows, and records the failure', () => {
    expect(gpu0.labels[9]).toBe(ROW_HEALTHY);
    expect(gpu0.labels[10]).toBe(ROW_SYMPTOM);
    expect(gpu0.labels[19]).toBe(ROW_SYMPTOM);
    expect(gpu0.labels[20]).toBe(ROW_DOWN);
    expect(gpu0.labels[24]).toBe(ROW_DOWN);
    expect(gpu0.labels[25]).toBe(ROW_HEALTHY);
    expect(gpu0.failures).toEqual([20 * MIN]);
  });

  it('applies facility incidents to every GPU of the rack, and stragglers to their GPU, without a failure', () => {
    for (const e of [gpu0, gpu1]) {
      expect(Array.from(e.labels.subarray(40, 47))).toEqual(new Array(7).fill(ROW_SYMPTOM));
      expect(e.labels[47]).toBe(ROW_HEALTHY);
    }
    expect(gpu1.failures).toEqual([]);
    expect(Array.from(other.labels.subarray(49, 53))).toEqual([ROW_HEALTHY, ROW_SYMPTOM, ROW_SYMPTOM, ROW_DOWN]);
    expect(other.failures).toEqual([]);
  });

  it('splits in time with a one-window gap, fits the scaler on healthy training rows only', () => {
    const data = {
      source: { kind: 'test', rows: rows * 3, sha256: '' },
      samplePeriodMs: MIN,
      fields: ['gpu_temp_c', 'ecc_sbe_volatile'],
      entities: [gpu0, gpu1, other],
      runToFailure: false,
    };
    const splits = buildWindowSplits(data, {
      features: ['gpu_temp_c', 'delta:ecc_sbe_volatile'],
      windowLength: 4,
      trainStride: 1,
      fractions: { train: 0.5, validation: 0.5, test: 0 },
      scalerRows: 'healthy',
    });
    // usable = 60 - 8 = 52 rows: train rows 0..25, validation rows 30..55.
    expect(splits.train.count).toBe(3 * (26 - 3));
    expect(splits.validation.count).toBe(3 * (26 - 3));
    expect(splits.validation.endTs[0]).toBe((30 + 3) * MIN);
    // gpu0's healthy training rows skip 10..24: 11 rows; gpu1 and other: 26 each.
    expect(splits.scalerRowCount).toBe(11 + 26 + 26);
    // A window whose rows include a symptom row carries the worst status.
    const statusAt = (t: number) => splits.train.status[splits.train.endTs.indexOf(t * MIN)];
    expect(statusAt(9)).toBe(ROW_HEALTHY);
    expect(statusAt(10)).toBe(ROW_SYMPTOM);
    expect(statusAt(23)).toBe(ROW_DOWN);
    expect(splits.scaler.scale[1]).toBe(1); // the constant counter's delta: 0 everywhere
  });
});

describe('entitiesFromCsv', () => {
  it('turns label runs into symptom rows and their starts into events', () => {
    const s = series(0);
    const labels = new Uint8Array(rows);
    labels.fill(1, 5, 8);
    labels.fill(1, 30, 31);
    const [e] = entitiesFromCsv([{ entity: 'u1', series: s, labels, failureTs: 59 * MIN }]);
    expect(e.labels[5]).toBe(ROW_SYMPTOM);
    expect(e.failures).toEqual([5 * MIN, 30 * MIN, 59 * MIN]);
  });
});
