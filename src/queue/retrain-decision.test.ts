import { describe, expect, it } from 'vitest';
import { decidePromotion } from './retrain-decision.js';

/** Enough labelled evidence for the default rule. */
const seen = { labelledEvents: 5 };

describe('decidePromotion', () => {
  it('promotes a candidate that beats the active version on the family metric', () => {
    expect(decidePromotion('anomaly', { ...seen, eventF1: 0.8 }, { eventF1: 0.7 })).toMatchObject({
      promote: true,
      decision: 'promote',
      metric: 'eventF1',
      candidate: 0.8,
      active: 0.7,
      labelledEvents: 5,
    });
    expect(decidePromotion('ttf', { ...seen, rmse: 40 }, { rmse: 55 })).toMatchObject({
      promote: true,
      metric: 'rmse',
    });
  });

  it('keeps the active version when the candidate is worse, equal or not better by the margin', () => {
    expect(decidePromotion('fault', { ...seen, f1: 0.5 }, { f1: 0.6 }).decision).toBe('keep');
    expect(decidePromotion('fault', { ...seen, f1: 0.6 }, { f1: 0.6 }).promote).toBe(false);
    expect(decidePromotion('fault', { ...seen, f1: 0.605 }, { f1: 0.6 }).promote).toBe(false);
    expect(decidePromotion('ttf', { ...seen, rmse: 56 }, { rmse: 55 }).promote).toBe(false);
    // Lower-is-better metrics scale the margin with the value: 1 % of 55 is 0.55.
    expect(decidePromotion('ttf', { ...seen, rmse: 54.5 }, { rmse: 55 }).promote).toBe(false);
    expect(decidePromotion('ttf', { ...seen, rmse: 54.4 }, { rmse: 55 }).promote).toBe(true);
  });

  it('falls back to the next metric both reports have, and never promotes without one', () => {
    expect(decidePromotion('anomaly', { ...seen, prAuc: 0.9, eventF1: 0.7 }, { prAuc: 0.8 })).toMatchObject({
      metric: 'prAuc',
      promote: true,
    });
    const none = decidePromotion('anomaly', { ...seen, alarmRate: 0.1 }, { alarmRate: 0.2 });
    expect(none.promote).toBe(false);
    expect(none.reason).toMatch(/no eventF1/);
    expect(decidePromotion('fault', { ...seen, f1: Number.NaN }, { f1: 0.5 }).promote).toBe(false);
  });

  it('keeps a better candidate in shadow while the holdout has too few labelled events, and says how many', () => {
    const few = decidePromotion(
      'anomaly',
      { labelledEvents: 2, eventF1: 0.9 },
      { eventF1: 0.5 },
      { minLabelledEvents: 3 },
    );
    expect(few).toMatchObject({ promote: false, decision: 'shadow', labelledEvents: 2, minLabelledEvents: 3 });
    expect(few.reason).toMatch(/2 labelled event\(s\) in the holdout, 3 needed/);
    // The figures are still recorded for the comparison.
    expect(few).toMatchObject({ metric: 'eventF1', candidate: 0.9, active: 0.5 });
    expect(
      decidePromotion('anomaly', { labelledEvents: 3, eventF1: 0.9 }, { eventF1: 0.5 }, { minLabelledEvents: 3 })
        .decision,
    ).toBe('promote');
    // An evaluation that does not say how many labels it saw is no evidence; nor is a holdout without any.
    expect(decidePromotion('fault', { f1: 0.9 }, { f1: 0.5 }).decision).toBe('shadow');
    expect(decidePromotion('fault', { labelledEvents: 0, prAuc: 0.9 }, { prAuc: 0.5 }).decision).toBe('shadow');
    // Throughput models learn from measured throughput in every row: no label count applies.
    expect(decidePromotion('throughput', { rmse: 10 }, { rmse: 20 }, { minLabelledEvents: 50 }).promote).toBe(true);
  });

  it('does not promote a fault predictor that raises more false alarms per device-day', () => {
    const noisier = decidePromotion(
      'fault',
      { ...seen, f1: 0.8, falseAlarmsPerDeviceDay: 0.4 },
      { f1: 0.6, falseAlarmsPerDeviceDay: 0.1 },
    );
    expect(noisier).toMatchObject({ promote: false, decision: 'keep' });
    expect(noisier.reason).toMatch(/false alarms per device-day/);
    expect(
      decidePromotion(
        'fault',
        { ...seen, f1: 0.8, falseAlarmsPerDeviceDay: 0.1 },
        { f1: 0.6, falseAlarmsPerDeviceDay: 0.1 },
      ).promote,
    ).toBe(true);
  });

  it('judges a shadow comparison (any family) on event F1 and false alarms per device-day', () => {
    const champion = { eventF1: 0, falseAlarmsPerDeviceDay: 0, labelledEvents: 5 };
    const noisy = decidePromotion(
      'anomaly',
      { eventF1: 0.6, falseAlarmsPerDeviceDay: 0.5, labelledEvents: 5 },
      champion,
      {
        minLabelledEvents: 5,
      },
    );
    expect(noisy).toMatchObject({ decision: 'keep', metric: 'eventF1', labelledEvents: 5 });
    expect(noisy.reason).toMatch(/false alarms per device-day/);
    const fault = decidePromotion(
      'fault',
      { eventF1: 0.6, falseAlarmsPerDeviceDay: 0.1, labelledEvents: 5 },
      { eventF1: 0.3, falseAlarmsPerDeviceDay: 0.2 },
      { minLabelledEvents: 5 },
    );
    expect(fault).toMatchObject({ decision: 'promote', metric: 'eventF1' });
  });
});
