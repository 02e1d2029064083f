import { describe, expect, it } from 'vitest';
import { anomalyCategory, featureCategory } from './rules/anomaly.js';
import { anomaly, MIN, NOW, notes, one, run } from './testing/fleet.js';

const DEV = 'c1r2n1/g1'; // idle GPU in rack c1r2

describe('anomaly categories', () => {
  it('maps derived feature names to the raw field they come from', () => {
    expect(featureCategory('gpu_temp_c_slope')).toBe('thermal');
    expect(featureCategory('ecc_sbe_volatile_rate')).toBe('memory');
    expect(featureCategory('nvlink_crc_errors')).toBe('interconnect');
    expect(featureCategory('fb_used_mib')).toBe('memory-leak');
    expect(featureCategory('gpu_util')).toBe('utilisation');
    expect(featureCategory('something_new')).toBe('other');
  });

  it('picks the category with the largest summed contribution', () => {
    const f = (name: string, contribution: number) => ({ name, contribution });
    expect(anomalyCategory([f('power_w', 0.5), f('gpu_temp_c', 0.3), f('mem_temp_c', 0.3)])).toBe('thermal');
    expect(anomalyCategory([f('power_w', 0.7), f('gpu_temp_c', 0.3)])).toBe('power');
  });
});

describe('anomaly rule', () => {
  it('a thermal anomaly opens a cooling-inspection ticket citing model, score vs threshold and features', () => {
    const r = run({
      anomalies: [
        anomaly(DEV, 2, [
          ['gpu_temp_c', 0.6],
          ['fan_speed_pct', 0.2],
          ['power_w', 0.1],
        ]),
      ],
    });
    const t = one(r, 'open_ticket');
    expect(t.target).toMatchObject({ kind: 'gpu', id: DEV, rack: 'c1r2' });
    expect(t.params).toEqual({ ticketKind: 'maintenance', category: 'thermal' });
    expect(t.severity).toBe('warning');
    expect(t.confidence).toBeCloseTo(0.75, 6);
    expect(t.reason).toContain('lstm-ae@3');
    expect(t.reason).toContain('vs threshold 0.1');
    expect(t.reason).toContain('2x');
    expect(t.reason).toContain('gpu_temp_c (0.6)');
    expect(t.evidence.anomaly).toEqual({ score: 0.2, threshold: 0.1, multiple: 2 });
    expect(t.evidence.topFeatures?.map((f) => f.name)).toEqual(['gpu_temp_c', 'fan_speed_pct', 'power_w']);
  });

  it('severity follows the multiple of the threshold; info is only logged', () => {
    const sev = (m: number) => run({ anomalies: [anomaly(DEV, m, [['power_w', 1]])] }).actions[0]?.severity;
    expect(sev(1.2)).toBeUndefined();
    expect(sev(1.5)).toBe('warning');
    expect(sev(2.9)).toBe('warning');
    expect(sev(3)).toBe('critical');
    const info = run({ anomalies: [anomaly(DEV, 1.2, [['power_w', 1]])] });
    expect(notes(info).join('\n')).toContain('below anomaly.actSeverity');
  });

  it('below the threshold nothing happens', () => {
    const r = run({ anomalies: [anomaly(DEV, 0.9, [['gpu_temp_c', 1]])] });
    expect(r.actions).toEqual([]);
    expect(r.decisions).toEqual([]);
  });

  it('power, interconnect and unexplained anomalies get the matching ticket kind', () => {
    const kind = (feature: string) =>
      one(run({ anomalies: [anomaly(DEV, 2, [[feature, 1]])] }), 'open_ticket').params.ticketKind;
    expect(kind('clock_event_reasons')).toBe('hardware');
    expect(kind('nvlink_crc_errors')).toBe('nvlink');
    expect(kind('ecc_sbe_volatile')).toBe('maintenance');
    expect(kind('mystery')).toBe('maintenance');
  });

  it('a growing framebuffer (memory leak) restarts the job on the GPU', () => {
    const r = run({ anomalies: [anomaly('c1r1n2/g0', 2, [['fb_used_mib', 0.9]])] });
    const restart = one(r, 'restart_application');
    expect(restart.target).toMatchObject({ kind: 'job', id: 'infer-b' });
    expect(restart.reason).toContain('out of memory');
  });

  it('uses the latest score per device and ignores stale scores', () => {
    const recovered = run({
      anomalies: [
        anomaly(DEV, 4, [['power_w', 1]], { ts: NOW - 3 * MIN }),
        anomaly(DEV, 0.5, [['power_w', 1]], { ts: NOW - MIN }),
      ],
    });
    expect(recovered.actions).toEqual([]);
    const stale = run({ anomalies: [anomaly(DEV, 4, [['power_w', 1]], { ts: NOW - 20 * MIN })] });
    expect(stale.actions).toEqual([]);
    expect(notes(stale).join('\n')).toContain('stale');
  });
});
