import { describe, expect, it } from 'vitest';
import { faultPredictorMetrics } from './fault.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('faultPredictorMetrics', () => {
  // One row per 10 minutes for 24 hours.
  const ts = Array.from({ length: 144 }, (_, i) => i * 10 * MIN);
  it('scores rows, lead time and false alarms per the documented definitions', () => {
    const failing = ts.map((t) => (t >= 20 * HOUR ? 0.9 : t >= 5 * HOUR && t < 6 * HOUR ? 0.8 : 0.1));
    const healthy = ts.map((t) => (t >= 10 * HOUR && t < 10 * HOUR + 20 * MIN ? 0.7 : 0.05));
    const m = faultPredictorMetrics(
      [
        { device: 'a', ts, probability: failing, failureTs: 22 * HOUR },
        { device: 'b', ts, probability: healthy },
      ],
      { threshold: 0.5, horizonMs: 4 * HOUR },
    );
    // Device a: rows before failure = 132 (0..21h50); positives 18h..21h50 = 24 rows; alarms 20h.. = 12 rows (TP),
    // 5h..5h50 = 6 rows (FP). Device b: 144 rows, 2 alarm rows (FP).
    expect(m.tp).toBe(12);
    expect(m.fn).toBe(12);
    expect(m.fp).toBe(8);
    expect(m.precision).toBe(12 / 20);
    expect(m.recall).toBe(0.5);
    expect(m.failures).toBe(1);
    expect(m.detectedFailures).toBe(1);
    expect(m.medianLeadMs).toBe(2 * HOUR);
    expect(m.falseAlarms).toBe(2);
    // observed: a 132 rows × 10 min = 22 h, b 24 h → 46/24 device-days
    expect(m.deviceDays).toBeCloseTo(46 / 24, 12);
    expect(m.falseAlarmsPerDeviceDay).toBeCloseTo(2 / (46 / 24), 12);
    // Episodes: a 5h (false), a 20h (true), b 10h (false) → event precision 1/3; the one failure detected.
    expect(m.alarms).toBe(3);
    expect(m.eventPrecision).toBeCloseTo(1 / 3, 12);
    expect(m.eventRecall).toBe(1);
  });

  it('merges alarm runs closer than alarmClearMs into one episode', () => {
    // Flapping alarms at 1h, 1h20, 1h40 (gaps of 10 min), then 3h, long before the failure: all false.
    const flap = ts.map((t) => ([60, 80, 100, 180].includes(t / MIN) ? 0.9 : 0));
    const run = (alarmClearMs?: number) =>
      faultPredictorMetrics([{ device: 'a', ts, probability: flap, failureTs: 24 * HOUR }], {
        threshold: 0.5,
        horizonMs: HOUR,
        alarmClearMs,
      });
    expect(run().alarms).toBe(4);
    expect(run(15 * MIN).alarms).toBe(2);
    expect(run(15 * MIN).falseAlarms).toBe(2);
    expect(run(HOUR + 30 * MIN).alarms).toBe(1);
  });
  it('takes the median lead over detected failures only', () => {
    const at = (alarmFrom: number) => ts.map((t) => (t >= alarmFrom ? 1 : 0));
    const m = faultPredictorMetrics(
      [
        { device: 'a', ts, probability: at(21 * HOUR), failureTs: 22 * HOUR },
        { device: 'b', ts, probability: at(19 * HOUR), failureTs: 22 * HOUR },
        { device: 'c', ts, probability: at(20 * HOUR), failureTs: 22 * HOUR },
        { device: 'd', ts, probability: at(30 * HOUR), failureTs: 22 * HOUR },
      ],
      { threshold: 0.5, horizonMs: 4 * HOUR },
    );
    expect(m.failures).toBe(4);
    expect(m.detectedFailures).toBe(3);
    expect(m.leadTimesMs).toEqual([HOUR, 3 * HOUR, 2 * HOUR]);
    expect(m.medianLeadMs).toBe(2 * HOUR);
    expect(m.falseAlarms).toBe(0);
  });
});
