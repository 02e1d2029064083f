import { describe, expect, it } from 'vitest';
import { definePolicy } from './config.js';
import { HOUR, input, MIN, NOW, proposed, record, run, suppressed, TPUT, xids } from './testing/fleet.js';
import type { ActionRecord, PolicyInput } from './types.js';

// A breaker that trips above 3 quarantine actions per hour; blast radius wide open so only the breaker acts.
const policy = definePolicy({
  circuitBreaker: { maxActions: 3 },
  blastRadius: { maxRackShare: 1, maxClusterShare: 1 },
});

const pastReset = (i: number, over: Partial<ActionRecord> = {}): ActionRecord =>
  record(
    {
      id: `act_past_${i}`,
      type: 'reset_gpu',
      target: { kind: 'gpu', id: `c1r2n${i}/g0`, cluster: 'c1', rack: 'c1r2', node: `c1r2n${i}` },
      params: {},
    },
    { status: 'succeeded', createdAt: NOW - 20 * MIN, ...over },
  );

const powerForecast: PolicyInput['powerForecasts'][number] = {
  subject: { kind: 'job', id: 'train-a' },
  ts: NOW - MIN,
  model: TPUT,
  current: { powerCapW: 700, throughput: 1000, powerW: 2800 },
  candidates: [{ powerCapW: 500, throughput: 970, powerW: 2100 }],
};

describe('circuit breaker', () => {
  it('trips when past + new quarantine actions in the window exceed the limit, and stops all automatic actions', () => {
    // 2 past resets + drain and reset for XID 48 = 4 > 3; the RMA ticket for XID 64 is exempt
    const r = run(
      {
        history: [pastReset(1), pastReset(2)],
        xidEvents: [...xids('c1r1n1/g0', 48), ...xids('c1r1n3/g0', 64)],
        powerForecasts: [powerForecast],
      },
      policy,
    );
    expect(r.circuitBreaker).toEqual({ tripped: true, shouldTrip: true, count: 5, limit: 3, windowMs: HOUR });
    expect(proposed(r).map((a) => a.type)).toEqual(['open_ticket']);
    expect(suppressed(r).every((a) => a.suppressedBy === 'circuit-breaker')).toBe(true);
    expect(suppressed(r).map((a) => a.type)).toContain('power_cap_gpu');
    const msg = r.decisions.find((d) => d.rail === 'circuit-breaker')?.message ?? '';
    expect(msg).toContain('5 quarantine actions within 60 min');
    expect(msg).toContain('limit of 3');
  });

  it('at the limit it does not trip', () => {
    const r = run({ history: [pastReset(1)], xidEvents: xids('c1r1n1/g0', 48) }, policy);
    expect(r.circuitBreaker).toMatchObject({ tripped: false, shouldTrip: false, count: 3 });
    expect(suppressed(r)).toEqual([]);
  });

  it('actions outside the window, rejected or cancelled ones do not count', () => {
    const history = [
      pastReset(1, { createdAt: NOW - 2 * HOUR }),
      pastReset(2, { status: 'rejected' }),
      pastReset(3, { status: 'cancelled' }),
      pastReset(4, { status: 'failed' }),
    ];
    const r = run({ history, xidEvents: xids('c1r1n1/g0', 48) }, policy);
    expect(r.circuitBreaker).toMatchObject({ tripped: false, count: 3 });
  });

  it('an action both open and in history counts once', () => {
    const past = pastReset(1, { status: 'running' });
    const r = run({ history: [past, pastReset(2)], openActions: [past], xidEvents: xids('c1r1n1/g0', 48) }, policy);
    expect(r.circuitBreaker.count).toBe(4);
  });

  it('while tripped every automatic action is suppressed until an operator resets it; tickets still go out', () => {
    const tripped = input({
      xidEvents: [...xids('c1r1n1/g0', 48), ...xids('c1r1n3/g0', 79)],
      powerForecasts: [powerForecast],
    });
    const r = run({ ...tripped, safety: { ...tripped.safety, circuitBreakerTripped: true } }, policy);
    expect(r.circuitBreaker).toMatchObject({ tripped: true, shouldTrip: false });
    expect(proposed(r).map((a) => a.type)).toEqual(['open_ticket']);
    expect(suppressed(r).map((a) => a.suppressedBy)).toEqual(suppressed(r).map(() => 'circuit-breaker'));
    expect(r.decisions.find((d) => d.rail === 'circuit-breaker')?.message).toContain('an operator must reset it');
  });

  it('after the operator resets it, earlier actions no longer count and actions flow again', () => {
    const history = [pastReset(1), pastReset(2), pastReset(3)];
    const before = run({ history, xidEvents: xids('c1r1n1/g0', 48) }, policy);
    expect(before.circuitBreaker.shouldTrip).toBe(true);
    const base = input({ history, xidEvents: xids('c1r1n1/g0', 48) });
    const after = run(
      { ...base, safety: { ...base.safety, circuitBreakerTripped: false, circuitBreakerResetAt: NOW - 5 * MIN } },
      policy,
    );
    expect(after.circuitBreaker).toMatchObject({ tripped: false, shouldTrip: false, count: 2 });
    expect(
      proposed(after)
        .map((a) => a.type)
        .sort(),
    ).toEqual(['drain_node', 'reset_gpu']);
  });
});
