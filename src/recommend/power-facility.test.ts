import { describe, expect, it } from 'vitest';
import { definePolicy } from './config.js';
import { chooseCap } from './rules/power.js';
import { anomaly, MIN, NOW, notes, one, run, TPUT } from './testing/fleet.js';
import type { OperatingPoint, PowerCapForecast } from './types.js';

const current: OperatingPoint = { powerCapW: 700, throughput: 1000, powerW: 2800 };
// energy per unit of work now: 2.8 J
const cands: OperatingPoint[] = [
  { powerCapW: 600, throughput: 990, powerW: 2500 }, // -1% tput, 2.525 J (-9.8%)
  { powerCapW: 500, throughput: 960, powerW: 2100 }, // -4% tput, 2.1875 J (-21.9%)
  { powerCapW: 400, throughput: 850, powerW: 1700 }, // -15% tput, 2.0 J (-28.6%) : over a 5% budget
];
const forecast = (over: Partial<PowerCapForecast> = {}): PowerCapForecast => ({
  subject: { kind: 'job', id: 'train-a' },
  ts: NOW - MIN,
  model: TPUT,
  current,
  candidates: cands,
  ...over,
});

describe('power-cap choice', () => {
  it('takes the cap that saves the most energy per unit of work within the throughput budget', () => {
    const c = chooseCap(current, cands, 5, 2);
    expect(c?.chosen.powerCapW).toBe(500);
    expect(c?.throughputChangePct).toBeCloseTo(-4, 9);
    expect(c?.powerSavedW).toBe(700);
    expect(c?.energyPerWorkSavedPct).toBeCloseTo((1 - 2.1875 / 2.8) * 100, 9);
  });

  it('a larger budget allows a deeper cap; a tight one a gentler cap; none within budget → nothing', () => {
    expect(chooseCap(current, cands, 20, 2)?.chosen.powerCapW).toBe(400);
    expect(chooseCap(current, cands, 1, 2)?.chosen.powerCapW).toBe(600);
    expect(chooseCap(current, cands, 0.5, 2)).toBeUndefined();
  });

  it('does not trust a lower cap predicted to run faster (the model extrapolating)', () => {
    const faster = [{ powerCapW: 500, throughput: 1070, powerW: 1800 }];
    expect(chooseCap(current, faster, 5, 2, 1)).toBeUndefined();
    expect(chooseCap(current, [{ powerCapW: 500, throughput: 1005, powerW: 1800 }], 5, 2, 1)?.chosen.powerCapW).toBe(
      500,
    );
  });

  it('ignores candidates that save too little, the current cap and broken points', () => {
    const tiny = [
      { powerCapW: 690, throughput: 1000, powerW: 2780 },
      current,
      { powerCapW: 650, throughput: 0, powerW: 1 },
    ];
    expect(chooseCap(current, tiny, 5, 2)).toBeUndefined();
  });
});

describe('power rule', () => {
  it('recommends a cap for every GPU of the job with the predicted saving and throughput change', () => {
    const r = run({ powerForecasts: [forecast()] });
    const a = one(r, 'power_cap_gpu');
    expect(a.target).toMatchObject({ kind: 'job', id: 'train-a', cluster: 'c1', rack: 'c1r1' });
    expect(a.params).toEqual({ powerCapW: 500, devices: ['c1r1n1/g0', 'c1r1n1/g1', 'c1r1n1/g2', 'c1r1n1/g3'] });
    expect(a.expectedBenefit).toMatchObject({ powerSavedW: 700, throughputChangePct: -4 });
    expect(a.expectedBenefit.energyPerWorkSavedPct).toBeCloseTo(21.875, 1);
    expect(a.severity).toBe('info');
    expect(a.requiresApproval).toBe(true);
    expect(a.reason).toContain('throughput-mlp@5');
    expect(a.reason).toContain('-4%');
  });

  it('follows the configured budget and says so when nothing fits', () => {
    const strict = definePolicy({ power: { throughputLossBudgetPct: 0.5 } });
    const r = run({ powerForecasts: [forecast()] }, strict);
    expect(r.actions).toEqual([]);
    expect(notes(r).join('\n')).toContain('0.5% throughput-loss budget');
  });

  it('caps a single GPU when the forecast is per GPU', () => {
    const r = run({ powerForecasts: [forecast({ subject: { kind: 'gpu', id: 'c1r2n2/g3' } })] });
    expect(one(r, 'power_cap_gpu').target).toMatchObject({ kind: 'gpu', id: 'c1r2n2/g3', node: 'c1r2n2' });
  });
});

describe('facility rule', () => {
  const reading = (rack: string, inletTempC?: number, coolantTempC?: number) => ({
    rack,
    ts: NOW - MIN,
    inletTempC,
    coolantTempC,
  });

  it('rack inlet above the limit raises a cooling alert for the rack; far above is critical', () => {
    const warm = one(run({ facility: [reading('c1r2', 29)] }), 'facility_cooling_alert');
    expect(warm.target).toEqual({ kind: 'rack', id: 'c1r2', cluster: 'c1', rack: 'c1r2' });
    expect(warm.severity).toBe('warning');
    expect(warm.reason).toContain('inlet air 29 °C');
    expect(one(run({ facility: [reading('c1r2', 33)] }), 'facility_cooling_alert').severity).toBe('critical');
    expect(run({ facility: [reading('c1r2', 26)] }).actions).toEqual([]);
  });

  it('coolant above its limit raises the alert too', () => {
    const a = one(run({ facility: [reading('c1r1', 22, 46)] }), 'facility_cooling_alert');
    expect(a.severity).toBe('critical');
    expect(a.reason).toContain('coolant supply 46 °C');
  });

  it('many GPUs of one rack anomalous on temperature → one alert for the rack instead of GPU tickets', () => {
    const hot = ['c1r2n1/g0', 'c1r2n2/g1', 'c1r2n3/g2', 'c1r2n4/g3'].map((d) =>
      anomaly(d, 2, [
        ['gpu_temp_c', 0.7],
        ['mem_temp_c', 0.2],
      ]),
    );
    const r = run({ anomalies: hot });
    const a = one(r, 'facility_cooling_alert');
    expect(a.evidence.devices).toHaveLength(4);
    expect(a.evidence.facility).toMatchObject({ thermalAnomalies: 4, rackGpus: 16 });
    expect(a.reason).toContain('4 of 16 GPUs');
    expect(r.actions.filter((x) => x.type === 'open_ticket')).toEqual([]);
    expect(notes(r).join('\n')).toContain('has a cooling alert');
  });

  it('a few hot GPUs are GPU problems, not a room problem', () => {
    const hot = ['c1r2n1/g0', 'c1r2n2/g1', 'c1r2n3/g2'].map((d) => anomaly(d, 2, [['gpu_temp_c', 1]]));
    const r = run({ anomalies: hot }); // 3 of 16 < 25 %
    expect(r.actions.filter((x) => x.type === 'facility_cooling_alert')).toEqual([]);
    expect(r.actions.filter((x) => x.type === 'open_ticket')).toHaveLength(3);
  });

  it('stale readings are ignored', () => {
    const r = run({ facility: [{ rack: 'c1r2', ts: NOW - 30 * MIN, inletTempC: 40 }] });
    expect(r.actions).toEqual([]);
    expect(notes(r).join('\n')).toContain('stale');
  });
});
