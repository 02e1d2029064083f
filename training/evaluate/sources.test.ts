import { describe, expect, it } from 'vitest';
import type { FaultLabel } from '../../src/telemetry/catalogue.js';
import { readCsvTableText } from '../data/csv-frame.js';
import { fromFleet, loadEvalInput } from './sources.js';
import { jobsFromCsvTable, usableRows } from './throughput-eval.js';

const P = 10_000;
const label = (device: string, onsetTs: number, failureTs: number): FaultLabel => ({
  device,
  cluster: 'c',
  rack: 'r',
  node: device.split('/')[0],
  gpu: device.split('/')[1],
  faultType: 'ecc_storm',
  onsetTs,
  failureTs,
  xid: 48,
});

describe('fromFleet', () => {
  it('reports a fleet without fault labels as unlabelled, with no labelled events', () => {
    const ts = Float64Array.from({ length: 10 }, (_, i) => i * P);
    const series = new Map([['n1/0', { ts, values: new Float64Array(10), features: ['x'] }]]);
    const bare = fromFleet('questdb', series, [], P);
    expect(bare.labelled).toBe(false);
    expect(bare.labelledEvents).toBe(0);
    const one = fromFleet('questdb', series, [label('n1/0', 3 * P, 5 * P)], P);
    expect(one.labelled).toBe(true);
    expect(one.labelledEvents).toBe(1);
  });

  it('cuts a device before its first failure and labels rows inside fault spans', () => {
    const ts = Float64Array.from({ length: 10 }, (_, i) => i * P);
    const series = new Map([
      ['n1/0', { ts, values: new Float64Array(10), features: ['x'] }],
      ['n1/1', { ts, values: new Float64Array(10), features: ['x'] }],
    ]);
    const input = fromFleet(
      'sim',
      series,
      [label('n1/0', 3 * P, 5 * P), label('n1/0', 8 * P, 9 * P), label('rack-1', 0, P)],
      P,
    );
    const [a, b] = input.entities;
    expect(a.failureTs).toBe(5 * P);
    // The failure row (5) already shows the failed device: rows 0-4 are evaluated.
    expect(Array.from(a.series.ts)).toEqual([0, 1, 2, 3, 4].map((i) => i * P));
    expect(Array.from(a.labels!)).toEqual([0, 0, 0, 1, 1]);
    expect(a.events).toEqual([
      { start: 3 * P, end: 5 * P, kind: 'ecc_storm', label: expect.stringMatching(/^ecc_storm@/) },
    ]);
    expect(b.failureTs).toBeUndefined();
    expect(b.series.ts.length).toBe(10);
    expect(input.rows).toBe(15);
  });

  it('counts facility incidents for every GPU of the rack and stragglers for their GPU, without failures', () => {
    const ts = Float64Array.from({ length: 200 }, (_, i) => i * P);
    const series = new Map([
      ['n1/0', { ts, values: new Float64Array(200), features: ['x'] }],
      ['n2/0', { ts, values: new Float64Array(200), features: ['x'] }],
    ]);
    const facility = {
      ...label('rack-a', 10 * P, 20 * P),
      faultType: 'facility_cooling_failure' as const,
      node: '',
      gpu: '',
    };
    const straggler = {
      ...label('job-7', 50 * P, 60 * P),
      device: 'job-7',
      faultType: 'straggler' as const,
      node: 'n2',
      gpu: '0',
    };
    const racks: Record<string, string> = { 'n1/0': 'rack-a', 'n2/0': 'rack-b' };
    const input = fromFleet('sim', series, [facility, straggler], P, (d) => racks[d]);
    const [a, b] = input.entities;
    // 15 minutes of recovery after the incident's failureTs
    expect(a.events).toEqual([
      {
        start: 10 * P,
        end: 20 * P + 15 * 60_000,
        kind: 'facility_cooling_failure',
        label: expect.stringMatching(/^facility_cooling_failure@/),
      },
    ]);
    expect(a.failureTs).toBeUndefined();
    expect(a.labels!.reduce((s, v) => s + v, 0)).toBe(11 + 90);
    expect(b.events).toEqual([
      { start: 50 * P, end: 60 * P, kind: 'straggler', label: expect.stringMatching(/^straggler@/) },
    ]);
    expect(b.failureTs).toBeUndefined();
    expect(b.series.ts.length).toBe(200);
  });

  it('rejects an unknown source', async () => {
    const meta = { features: ['x'] } as unknown as Parameters<typeof loadEvalInput>[1];
    await expect(loadEvalInput('parquet:x', meta)).rejects.toThrow(
      'unknown source "parquet:x": use sim, questdb or csv:<path>',
    );
  });
});

describe('throughput job rows from CSV', () => {
  it('splits text symbols from numeric values and keeps only scorable rows', async () => {
    const rows = jobsFromCsvTable(
      await readCsvTableText('job_id,gpu_model,batch_size,throughput\nj1,H100,64,1200\nj2,A100,,900\nj3,H100,32,0\n'),
    );
    expect(rows[0]).toEqual({
      symbols: { job_id: 'j1', gpu_model: 'H100' },
      values: { batch_size: 64, throughput: 1200 },
    });
    const usable = usableRows(rows, { features: ['gpu_model=H100', 'log:batch_size'] });
    expect(usable.map((r) => r.symbols?.job_id)).toEqual(['j1']);
  });
});
