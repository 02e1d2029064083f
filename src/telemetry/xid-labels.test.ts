import { describe, expect, it } from 'vitest';
import type { TelemetryRow } from './catalogue.js';
import { xidLabels } from './xid-labels.js';

const row = (ts: number, gpu: string, xid_last: number, xid_count = 1): TelemetryRow => ({
  ts,
  symbols: { cluster: 'c0', rack: 'r1', node: 'c0-r1-n2', gpu },
  values: { xid_last, xid_count, gpu_temp_c: 60 },
});

describe('xidLabels', () => {
  it('labels XID 48, 64, 79 and 95 as failures of the device, source xid', () => {
    const labels = xidLabels([row(3_000, '0', 79), row(1_000, '1', 48), row(2_000, '2', 95), row(4_000, '3', 64)]);
    expect(labels.map((l) => [l.device, l.faultType, l.xid, l.start])).toEqual([
      ['c0-r1-n2/1', 'ecc_storm', 48, 1_000],
      ['c0-r1-n2/2', 'uncontained_ecc', 95, 2_000],
      ['c0-r1-n2/0', 'gpu_fell_off_bus', 79, 3_000],
      ['c0-r1-n2/3', 'row_remap_failure', 64, 4_000],
    ]);
    expect(labels[0]).toMatchObject({ source: 'xid', failure: 1_000, cluster: 'c0', rack: 'r1', node: 'c0-r1-n2' });
  });

  it('ignores other XIDs, samples that logged none, and repeats of one failure within the batch', () => {
    const labels = xidLabels([
      row(1_000, '0', 31),
      row(1_000, '1', 48, 0), // xid_last lingers from an earlier sample: no new event
      row(2_000, '2', 48),
      row(3_000, '2', 48),
      { ts: 4_000, symbols: { node: 'n' }, values: { gpu_temp_c: 1 } },
    ]);
    expect(labels.map((l) => [l.device, l.start])).toEqual([['c0-r1-n2/2', 2_000]]);
  });
});
