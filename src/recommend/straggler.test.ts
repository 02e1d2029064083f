import { describe, expect, it } from 'vitest';
import { AE, anomaly, MIN, NOW, notes, one, run, TPUT } from './testing/fleet.js';
import type { GpuUtilisation } from './types.js';

// Job train-a runs on c1r1n1/g0..g3.
const util = (pcts: number[]): GpuUtilisation[] =>
  pcts.map((gpuUtilPct, g) => ({ device: `c1r1n1/g${g}`, ts: NOW - MIN, gpuUtilPct }));

describe('straggler rule', () => {
  it('a GPU far below its job peers gets the job rebalanced off it', () => {
    const r = run({ utilisation: util([95, 93, 40, 94]) });
    const a = one(r, 'rebalance_job');
    expect(a.target).toMatchObject({ kind: 'job', id: 'train-a', rack: 'c1r1' });
    expect(a.params).toEqual({ excludeDevices: ['c1r1n1/g2'] });
    expect(a.evidence.utilisation).toEqual({ gpuUtilPct: 40, peerMedianPct: 94 });
    expect(a.reason).toContain('40% utilisation vs a median of 94%');
    expect(a.severity).toBe('warning');
  });

  it('small differences are not stragglers', () => {
    expect(run({ utilisation: util([95, 93, 70, 94]) }).actions).toEqual([]);
  });

  it('an anomaly whose top feature is gpu_util is a straggler too (and not a ticket)', () => {
    const r = run({
      anomalies: [
        anomaly('c1r1n1/g3', 2, [
          ['gpu_util', 0.8],
          ['sm_clock_mhz', 0.1],
        ]),
      ],
    });
    const a = one(r, 'rebalance_job');
    expect(a.params.excludeDevices).toEqual(['c1r1n1/g3']);
    expect(a.evidence.model).toEqual(AE);
    expect(a.reason).toContain('gpu_util (0.8)');
    expect(r.actions.filter((x) => x.type === 'open_ticket')).toEqual([]);
  });

  it('moves onto the best forecast placement that avoids the straggler, with the predicted gain', () => {
    const current = ['c1r1n1/g0', 'c1r1n1/g1', 'c1r1n1/g2', 'c1r1n1/g3'];
    const r = run({
      utilisation: util([95, 93, 20, 94]),
      placementForecasts: [
        {
          jobId: 'train-a',
          ts: NOW - MIN,
          model: TPUT,
          candidates: [
            { devices: current, throughput: 800 },
            { devices: ['c1r1n1/g0', 'c1r1n1/g1', 'c1r1n1/g2', 'c1r1n4/g0'], throughput: 990 }, // keeps the straggler
            { devices: ['c1r1n1/g0', 'c1r1n1/g1', 'c1r1n1/g3', 'c1r1n4/g0'], throughput: 960 },
            { devices: ['c1r1n1/g0', 'c1r1n1/g1', 'c1r1n1/g3', 'c1r1n4/g1'], throughput: 940 },
          ],
        },
      ],
    });
    const a = one(r, 'rebalance_job');
    expect(a.params.targetDevices).toEqual(['c1r1n1/g0', 'c1r1n1/g1', 'c1r1n1/g3', 'c1r1n4/g0']);
    expect(a.expectedBenefit.throughputChangePct).toBe(20);
    expect(a.reason).toContain('throughput-mlp@5');
  });

  it('when every GPU of the job is slow there is nothing healthier to move to', () => {
    const r = run({ anomalies: [0, 1, 2, 3].map((g) => anomaly(`c1r1n1/g${g}`, 2, [['gpu_util', 1]])) });
    expect(r.actions).toEqual([]);
    expect(notes(r).join('\n')).toContain('every GPU looks slow');
  });

  it('single-GPU jobs have no peers and are never stragglers', () => {
    expect(run({ anomalies: [anomaly('c1r1n2/g0', 2, [['gpu_util', 1]])] }).actions).toEqual([]);
  });
});
