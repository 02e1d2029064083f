import { describe, expect, it } from 'vitest';
import { decidePromotion } from './retrain-decision.js';

describe('decidePromotion', () => {
  it('promotes a candidate that beats the active version on the family metric', () => {
    expect(decidePromotion('anomaly', { eventF1: 0.8 }, { eventF1: 0.7 })).toMatchObject({
      promote: true,
      metric: 'eventF1',
      candidate: 0.8,
      active: 0.7,
    });
    expect(decidePromotion('ttf', { rmse: 40 }, { rmse: 55 })).toMatchObject({ promote: true, metric: 'rmse' });
  });

  it('keeps the active version when the candidate is worse, equal or not better by the margin', () => {
    expect(decidePromotion('fault', { f1: 0.5 }, { f1: 0.6 }).promote).toBe(false);
    expect(decidePromotion('fault', { f1: 0.6 }, { f1: 0.6 }).promote).toBe(false);
    expect(decidePromotion('fault', { f1: 0.605 }, { f1: 0.6 }).promote).toBe(false);
    expect(decidePromotion('ttf', { rmse: 56 }, { rmse: 55 }).promote).toBe(false);
    // Lower-is-better metrics scale the margin with the value: 1 % of 55 is 0.55.
    expect(decidePromotion('ttf', { rmse: 54.5 }, { rmse: 55 }).promote).toBe(false);
    expect(decidePromotion('ttf', { rmse: 54.4 }, { rmse: 55 }).promote).toBe(true);
  });

  it('falls back to the next metric both reports have, and never promotes without one', () => {
    expect(decidePromotion('anomaly', { prAuc: 0.9, eventF1: 0.7 }, { prAuc: 0.8 })).toMatchObject({
      metric: 'prAuc',
      promote: true,
    });
    const none = decidePromotion('anomaly', { alarmRate: 0.1 }, { alarmRate: 0.2 });
    expect(none.promote).toBe(false);
    expect(none.reason).toMatch(/no eventF1/);
    expect(decidePromotion('fault', { f1: Number.NaN }, { f1: 0.5 }).promote).toBe(false);
  });
});
