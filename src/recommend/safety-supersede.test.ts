import { describe, expect, it } from 'vitest';
import { definePolicy } from './config.js';
import { capForecast, MIN, NOW, notes as notesOf, one, proposed, record, run, TPUT } from './testing/fleet.js';
import type { ActionRecord, OperatingPoint, PowerCapForecast } from './types.js';

const GPU = 'c1r1n2/g1';

const capAt = (capW: number, device = GPU) => capForecast(device, capW);

/** The cap the policy proposed for `capW` earlier, as the queue reports it back: open and in the history. */
function earlier(capW: number, status: ActionRecord['status'], device = GPU) {
  const rec = record(one(run({ powerForecasts: [capAt(capW, device)] }), 'power_cap_gpu'), { status });
  return { openActions: [rec], history: [rec] };
}

/** A forecast over several caps, each given as [cap W, throughput change %, energy per unit of work saved %]. */
function forecastOf(points: readonly [number, number, number][]): PowerCapForecast {
  const current = { powerCapW: 700, throughput: 1000, powerW: 2800 };
  const candidates: OperatingPoint[] = points.map(([powerCapW, change, saved]) => {
    const throughput = 1000 * (1 + change / 100);
    return { powerCapW, throughput, powerW: (1 - saved / 100) * 2.8 * throughput };
  });
  return { subject: { kind: 'gpu', id: GPU }, ts: NOW - MIN, model: TPUT, current, candidates };
}

describe('a power cap whose cap changed supersedes the waiting proposal', () => {
  it('the new cap is proposed in place of the open one, past the 24 h cooldown the old one would set', () => {
    const before = earlier(600, 'proposed');
    const r = run({ powerForecasts: [capAt(500)], ...before });
    const cap = one(r, 'power_cap_gpu');
    expect(cap.status).toBe('proposed');
    expect(cap.params.powerCapW).toBe(500);
    expect(cap.supersedes).toBe(before.openActions[0]!.id);
    expect(r.decisions.find((d) => d.actionId === cap.id)?.message).toContain(
      `supersedes ${before.openActions[0]!.id}`,
    );
  });

  it('the same cap again is a repeated detection: suppressed, nothing superseded', () => {
    const before = earlier(600, 'proposed');
    const cap = one(run({ powerForecasts: [capAt(600)], ...before }), 'power_cap_gpu');
    expect(cap.id).toBe(before.openActions[0]!.id);
    expect(cap.status).toBe('suppressed');
    expect(cap.suppressedBy).toBe('dedup');
    expect(cap.supersedes).toBeUndefined();
  });

  it('an approved (or queued) cap stands: an operator chose it, so the new one is a duplicate', () => {
    for (const status of ['approved', 'queued'] as const) {
      const cap = one(run({ powerForecasts: [capAt(500)], ...earlier(600, status) }), 'power_cap_gpu');
      expect(cap.status).toBe('suppressed');
      expect(cap.suppressedBy).toBe('dedup');
      expect(cap.supersedes).toBeUndefined();
    }
  });

  it('takes the place of the one it replaces in a full advisory budget', () => {
    const full = definePolicy({ power: { maxOpenAdvisories: 1 } });
    const r = run({ powerForecasts: [capAt(500), capAt(500, 'c1r1n3/g0')], ...earlier(600, 'proposed') }, full);
    expect(proposed(r).map((a) => a.target.id)).toEqual([GPU]);
    expect(one(r, 'power_cap_gpu', 'c1r1n3/g0').suppressedBy).toBe('advisory-budget');
  });

  it('other advice does not supersede: an open drain with other evidence still suppresses a new one', () => {
    const drain = {
      id: 'act_open_drain',
      type: 'drain_node' as const,
      target: { kind: 'node' as const, id: 'c1r1n1', cluster: 'c1', rack: 'c1r1', node: 'c1r1n1' },
      params: {},
    };
    const r = run({
      xidEvents: [{ device: 'c1r1n1/g2', code: 48, ts: NOW - MIN }],
      openActions: [record(drain, { status: 'proposed' })],
    });
    expect(one(r, 'drain_node').suppressedBy).toBe('dedup');
    expect(one(r, 'drain_node').supersedes).toBeUndefined();
  });
});

describe('hysteresis: a waiting cap stays the advice while it is still good within power.hysteresisPct', () => {
  const waiting = (capW: number) => earlier(capW, 'proposed');
  const capIn = (r: ReturnType<typeof run>) => one(r, 'power_cap_gpu');

  it('a forecast that puts the waiting cap a fraction of a point past the budget does not replace it', () => {
    // 600 W: -5.5 % throughput (budget 5 %, + 1 point of hysteresis), 17 % saved; 650 W is the best within budget.
    const r = run({
      powerForecasts: [
        forecastOf([
          [600, -5.5, 17],
          [650, -2, 5],
        ]),
      ],
      ...waiting(600),
    });
    expect(capIn(r)).toMatchObject({ status: 'suppressed', suppressedBy: 'dedup', params: { powerCapW: 600 } });
    expect(capIn(r).supersedes).toBeUndefined();
    expect(notesOf(r).join('\n')).toContain('the waiting 600 W cap stays the advice');
  });

  it('the same holds for the distrusted-gain limit: +1.5 % at a lower cap keeps a waiting cap, +2.5 % does not', () => {
    const kept = run({
      powerForecasts: [
        forecastOf([
          [600, 1.5, 17],
          [650, -2, 5],
        ]),
      ],
      ...waiting(600),
    });
    expect(capIn(kept)).toMatchObject({ status: 'suppressed', params: { powerCapW: 600 } });
    const dropped = run({
      powerForecasts: [
        forecastOf([
          [600, 2.5, 17],
          [650, -2, 5],
        ]),
      ],
      ...waiting(600),
    });
    expect(capIn(dropped)).toMatchObject({ status: 'proposed', params: { powerCapW: 650 } });
  });

  it('is replaced once it is past the budget by more than the hysteresis', () => {
    const r = run({
      powerForecasts: [
        forecastOf([
          [600, -6.5, 17],
          [650, -2, 5],
        ]),
      ],
      ...waiting(600),
    });
    expect(capIn(r)).toMatchObject({ status: 'proposed', params: { powerCapW: 650 } });
    expect(capIn(r).supersedes).toBeDefined();
  });

  it('is replaced by a cap that saves at least the hysteresis more, and kept against one that saves less more', () => {
    const better = run({
      powerForecasts: [
        forecastOf([
          [600, -4, 17],
          [650, -2, 5],
        ]),
      ],
      ...waiting(650),
    });
    expect(capIn(better)).toMatchObject({ status: 'proposed', params: { powerCapW: 600 } });
    const barely = run({
      powerForecasts: [
        forecastOf([
          [600, -4, 5.5],
          [650, -2, 5],
        ]),
      ],
      ...waiting(650),
    });
    expect(capIn(barely)).toMatchObject({ status: 'suppressed', params: { powerCapW: 650 } });
  });

  it('hysteresis 0 follows every forecast', () => {
    const strict = definePolicy({ power: { hysteresisPct: 0 } });
    const r = run(
      {
        powerForecasts: [
          forecastOf([
            [600, -5.5, 17],
            [650, -2, 5],
          ]),
        ],
        ...waiting(600),
      },
      strict,
    );
    expect(capIn(r)).toMatchObject({ status: 'proposed', params: { powerCapW: 650 } });
  });
});

describe('withdrawal: a waiting cap no forecast supports any more is closed, with nothing in its place', () => {
  // Every cap past the budget plus the hysteresis: 600 W -7 %, 650 W -6.5 %.
  const hopeless = () =>
    forecastOf([
      [600, -7, 17],
      [650, -6.5, 5],
    ]);

  it('withdraws the waiting cap and says why', () => {
    const before = earlier(600, 'proposed');
    const r = run({ powerForecasts: [hopeless()], ...before });
    expect(r.actions.filter((a) => a.type === 'power_cap_gpu')).toEqual([]);
    expect(r.withdrawn.map((w) => w.id)).toEqual([before.openActions[0]!.id]);
    expect(r.withdrawn[0]!.reason).toContain('the waiting 600 W cap included');
    expect(r.decisions.find((d) => d.actionId === before.openActions[0]!.id)?.message).toMatch(/^withdraws act_/);
  });

  it('withdraws nothing on a stale forecast, an approved cap, or when nothing waits', () => {
    const stale = { ...hopeless(), ts: NOW - 60 * MIN };
    expect(run({ powerForecasts: [stale], ...earlier(600, 'proposed') }).withdrawn).toEqual([]);
    expect(run({ powerForecasts: [hopeless()], ...earlier(600, 'approved') }).withdrawn).toEqual([]);
    expect(run({ powerForecasts: [hopeless()] }).withdrawn).toEqual([]);
  });
});
