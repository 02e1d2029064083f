import { describe, expect, it } from 'vitest';
import { type EntityResult, evaluateAnomaly, evaluateFault, evaluateTtf } from './family-metrics.js';

const P = 10_000;
/** An entity of n rows (one per 10 s from t=0) whose window values are `values` (window i ends at row i). */
function result(name: string, values: number[], extra: Partial<EntityResult['entity']> = {}): EntityResult {
  const n = values.length;
  const ts = Float64Array.from({ length: n }, (_, i) => i * P);
  return {
    entity: { entity: name, series: { ts, values: new Float64Array(n), features: ['x'] }, events: [], ...extra },
    out: { endIndex: Int32Array.from({ length: n }, (_, i) => i), endTs: ts, values: Float64Array.from(values) },
  };
}

describe('evaluateAnomaly', () => {
  it('combines event-level counts across entities and point-wise metrics at window ends', () => {
    // a: event rows 3..5, detected 4..5 (found) and 8 (false positive); b: event rows 1..2 missed
    const a = result('a', [0, 0, 0, 0, 5, 5, 0, 0, 5, 0], {
      labels: Uint8Array.from([0, 0, 0, 1, 1, 1, 0, 0, 0, 0]),
      events: [{ start: 3 * P, end: 5 * P }],
    });
    const b = result('b', [0, 0, 0, 0, 0], {
      labels: Uint8Array.from([0, 1, 1, 0, 0]),
      events: [{ start: P, end: 2 * P }],
    });
    const ev = evaluateAnomaly([a, b], 1);
    expect(ev.metrics.events).toBe(2);
    expect(ev.metrics.eventsFound).toBe(1);
    expect(ev.metrics.detections).toBe(2);
    expect(ev.metrics.falsePositiveIntervals).toBe(1);
    expect(ev.metrics.eventPrecision).toBe(0.5);
    expect(ev.metrics.eventRecall).toBe(0.5);
    // points: tp 2 (rows 4,5 of a), fp 1 (row 8), fn 1 (row 3 of a) + 2 (b)
    expect(ev.metrics.pointPrecision).toBeCloseTo(2 / 3, 12);
    expect(ev.metrics.pointRecall).toBeCloseTo(2 / 5, 12);
    expect(ev.detections.map((d) => [d.entity, d.start, d.end])).toEqual([
      ['a', 4 * P, 5 * P],
      ['a', 8 * P, 8 * P],
    ]);
  });

  it('counts a label seen on several devices (a rack incident) as one event, found on any of them', () => {
    const incident = { start: P, end: 3 * P, kind: 'facility_cooling_failure', label: 'facility@c0-r0@10000' };
    const gpu0 = result('n0/0', [0, 5, 5, 0], { labels: Uint8Array.from([0, 1, 1, 1]), events: [incident] });
    const gpu1 = result('n0/1', [0, 0, 0, 0], { labels: Uint8Array.from([0, 1, 1, 1]), events: [incident] });
    const own = { start: 2 * P, end: 3 * P, kind: 'ecc_storm', label: 'ecc@n0/2@20000' };
    const gpu2 = result('n0/2', [0, 0, 0, 0], { labels: Uint8Array.from([0, 0, 1, 1]), events: [own] });
    const m = evaluateAnomaly([gpu0, gpu1, gpu2], 1).metrics;
    expect(m.events).toBe(2);
    expect(m.eventsFound).toBe(1);
    expect(m.eventRecall).toBe(0.5);
    expect(m.deviceEvents).toBe(3);
    expect(m.deviceEventRecall).toBeCloseTo(1 / 3, 12);
  });

  it('breaks event recall down by fault type when events are typed', () => {
    const a = result('a', [0, 5, 0, 0, 0, 0], {
      labels: Uint8Array.from([0, 1, 0, 0, 1, 0]),
      events: [
        { start: P, end: P, kind: 'ecc_storm' },
        { start: 4 * P, end: 4 * P, kind: 'straggler' },
      ],
    });
    const b = result('b', [0, 0, 5, 0], {
      labels: Uint8Array.from([0, 0, 1, 0]),
      events: [{ start: 2 * P, end: 2 * P, kind: 'ecc_storm' }],
    });
    const m = evaluateAnomaly([a, b], 1).metrics;
    expect(m['eventRecall.ecc_storm']).toBe(1);
    expect(m['events.ecc_storm']).toBe(2);
    expect(m['eventRecall.straggler']).toBe(0);
    expect(m.eventRecall).toBeCloseTo(2 / 3, 12);
  });

  it('does not score a silent model as perfect on a holdout without labelled events', () => {
    const quiet = result('a', [0, 0, 0, 0], { labels: new Uint8Array(4), events: [] });
    const m = evaluateAnomaly([quiet], 1).metrics;
    expect(m.labelledEvents).toBe(0);
    expect(m.eventF1).toBeNaN();
    expect(m.eventRecall).toBeNaN();
    expect(evaluateAnomaly([result('b', [0, 2])], 1).metrics.labelledEvents).toBe(0);
    const fault = evaluateFault([result('g', [0, 0, 0, 0])], 0.5, 3 * P).metrics;
    expect(fault.labelledEvents).toBe(0);
    expect(fault.f1).toBeNaN();
  });

  it('reports only score statistics without labels', () => {
    const ev = evaluateAnomaly([result('a', [0, 2, 0, 0])], 1);
    expect(ev.metrics.alarmRate).toBe(0.25);
    expect(ev.metrics.eventRecall).toBeUndefined();
    expect(ev.pr).toBeUndefined();
  });
});

describe('evaluateFault', () => {
  it('scores windows before the failure against the horizon', () => {
    // failure at row 10; horizon 3 rows → positives rows 7,8,9; alarms rows 8..11 (10, 11 after failure: ignored)
    const r = result('g', [0, 0, 0, 0, 0, 0, 0, 0, 0.9, 0.9, 0.9, 0.9], { failureTs: 10 * P });
    const ev = evaluateFault([r], 0.5, 3 * P);
    expect(ev.metrics.precision).toBe(1);
    expect(ev.metrics.recall).toBeCloseTo(2 / 3, 12);
    expect(ev.metrics.detectedFailures).toBe(1);
    expect(ev.metrics.medianLeadMinutes).toBeCloseTo((2 * P) / 60_000, 12);
    expect(ev.metrics.falseAlarms).toBe(0);
    // Windows 0..9 (10 and 11 are after the failure): positives 7, 8, 9 with probabilities 0, 0.9, 0.9.
    expect(ev.metrics.brier).toBeCloseTo((1 + 0.01 + 0.01) / 10, 12);
    expect(ev.metrics.ece).toBeCloseTo(0.8 * (1 / 8) + 0.2 * 0.1, 12);
  });
});

describe('evaluateTtf', () => {
  it('caps the truth, and scores the last window of each unit with PHM08', () => {
    // failure at row 4; predicted [5, 3, 2, 1, 0]; truth capped at 3 → [3, 3, 2, 1, 0]
    const r = result('u', [5, 3, 2, 1, 0], { failureTs: 4 * P });
    const ev = evaluateTtf([r], 3, P);
    expect(ev.scatter?.truth).toEqual([3, 3, 2, 1, 0]);
    expect(ev.metrics.rmse).toBeCloseTo(Math.sqrt(4 / 5), 12);
    expect(ev.metrics.mae).toBeCloseTo(2 / 5, 12);
    expect(ev.metrics.rmseLastWindow).toBe(0);
    expect(ev.metrics.phm08LastWindow).toBe(0);
    expect(ev.metrics.units).toBe(1);
  });
});
