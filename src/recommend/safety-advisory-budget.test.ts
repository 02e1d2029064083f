import { describe, expect, it } from 'vitest';
import { definePolicy } from './config.js';
import { fleet, MIN, NOW, ofType, one, proposed, record, run, suppressed, TPUT } from './testing/fleet.js';
import type { PowerCapForecast } from './types.js';

/** A per-GPU forecast whose 500 W cap saves `saving` % energy per unit of work at -1 % throughput. */
function capForecast(device: string, saving: number): PowerCapForecast {
  const current = { powerCapW: 700, throughput: 1000, powerW: 2800 };
  const throughput = 990;
  // energy per work at the cap = (1 - saving/100) * 2.8 J, so powerW = that * throughput
  const powerW = (1 - saving / 100) * (current.powerW / current.throughput) * throughput;
  return {
    subject: { kind: 'gpu', id: device },
    ts: NOW - MIN,
    model: TPUT,
    current,
    candidates: [{ powerCapW: 500, throughput, powerW }],
  };
}

const devices = ['c1r1n1/g0', 'c1r1n1/g1', 'c1r1n2/g0', 'c1r1n3/g2', 'c1r2n1/g0', 'c1r2n4/g3'];
// Savings 5, 10, 15, ... so the ranking is known.
const forecasts = devices.map((d, i) => capForecast(d, 5 * (i + 1)));
const budget = (n: number) => definePolicy({ power: { maxOpenAdvisories: n } });

describe('advisory budget', () => {
  it('keeps the power caps that save the most energy and suppresses the rest, saying why', () => {
    const r = run({ powerForecasts: forecasts }, budget(2));
    expect(proposed(r).map((a) => a.target.id)).toEqual(['c1r2n4/g3', 'c1r2n1/g0'].sort((a, b) => (a < b ? -1 : 1)));
    const held = suppressed(r);
    expect(held).toHaveLength(4);
    expect(held.every((a) => a.suppressedBy === 'advisory-budget')).toBe(true);
    const log = r.decisions.find((d) => d.actionId === held[0]!.id)!;
    expect(log.message).toContain('power.maxOpenAdvisories = 2');
  });

  it('counts power caps already waiting for an operator first', () => {
    const first = run({ powerForecasts: [forecasts[0]!] });
    const waiting = record(proposed(first)[0]!, { status: 'proposed' });
    const r = run({ powerForecasts: forecasts.slice(1), openActions: [waiting] }, budget(2));
    expect(proposed(r).map((a) => a.target.id)).toEqual(['c1r2n4/g3']);
    // A decided (rejected) one no longer takes a place in the budget.
    const decided = run(
      { powerForecasts: forecasts.slice(1), openActions: [{ ...waiting, status: 'rejected' }] },
      budget(2),
    );
    expect(proposed(decided)).toHaveLength(2);
  });

  it('the default budget lets ten through and never holds other action types', () => {
    const many = Array.from({ length: 16 }, (_, i) =>
      capForecast(`c1r${1 + Math.floor(i / 8)}n${1 + (Math.floor(i / 4) % 2)}/g${i % 4}`, 3 + i),
    );
    const r = run({ powerForecasts: many, facility: [{ rack: 'c1r2', ts: NOW - MIN, inletTempC: 33 }] });
    expect(proposed(r).filter((a) => a.type === 'power_cap_gpu')).toHaveLength(10);
    expect(ofType(r, 'power_cap_gpu').filter((a) => a.suppressedBy === 'advisory-budget')).toHaveLength(6);
    expect(proposed(r).map((a) => a.type)).toContain('facility_cooling_alert');
  });

  it('is a budget per cluster: the caps waiting in one cluster do not hold back another', () => {
    const topology = fleet({ clusters: 2 });
    const first = run({ topology, powerForecasts: [capForecast('c1r1n1/g0', 5)] });
    const waiting = record(proposed(first)[0]!, { status: 'proposed' });
    const r = run(
      { topology, openActions: [waiting], powerForecasts: [capForecast('c1r1n1/g1', 30), capForecast('c2r1n1/g1', 6)] },
      budget(1),
    );
    expect(proposed(r).map((a) => a.target.id)).toEqual(['c2r1n1/g1']);
    expect(one(r, 'power_cap_gpu', 'c1r1n1/g1').suppressedBy).toBe('advisory-budget');
  });
});
