import { describe, expect, it } from 'vitest';
import { definePolicy } from './config.js';
import { HOUR, NOW, one, run } from './testing/fleet.js';
import type { Incident } from './types.js';

const DAY = 24 * HOUR;
const incident = (device: string, daysAgo: number, source = 'operator'): Incident => ({
  device,
  node: device.split('/')[0],
  ts: NOW - daysAgo * DAY,
  faultType: 'gpu_fell_off_bus',
  source,
});
const GPU = 'c1r2n3/g1';

describe('repeat offenders', () => {
  it('K-1 incidents in the window give no recommendation at all', () => {
    const r = run({ incidents: [incident(GPU, 20), incident(GPU, 2)] });
    expect(r.actions).toEqual([]);
  });

  it('K incidents in the window: drain its node and an RMA ticket, critical, awaiting approval, history as evidence', () => {
    const history = [incident(GPU, 25), incident(GPU, 9, 'xid'), incident(GPU, 1, 'rma')];
    const r = run({ incidents: history });
    const drain = one(r, 'drain_node', 'c1r2n3');
    const ticket = one(r, 'open_ticket', GPU);
    expect(r.actions).toHaveLength(2);
    expect(ticket.params).toMatchObject({ ticketKind: 'rma' });
    for (const a of [drain, ticket]) {
      expect(a.severity).toBe('critical');
      expect(a.requiresApproval).toBe(true);
      expect(a.evidence).toMatchObject({ kind: 'repeat-offender', devices: [GPU], incidents: history });
      expect(a.reason).toMatch(/3 incidents within 30 days/);
    }
  });

  it('incidents older than the window do not count', () => {
    expect(run({ incidents: [incident(GPU, 45), incident(GPU, 40), incident(GPU, 2)] }).actions).toEqual([]);
  });

  it('is idempotent and at most once per window: a 4th incident keeps the same actions', () => {
    const three = [incident(GPU, 25), incident(GPU, 9), incident(GPU, 1)];
    const before = run({ incidents: three }).actions.map((a) => a.id);
    const after = run({ incidents: [...three, incident(GPU, 0.5)] }).actions.map((a) => a.id);
    expect(after).toEqual(before);
    // A trigger more than a window old proposes nothing, even with K incidents within two windows.
    expect(run({ incidents: [incident(GPU, 58), incident(GPU, 57), incident(GPU, 35)] }).actions).toEqual([]);
  });

  it('a node with K incidents across its GPUs is quarantined as a node', () => {
    const r = run({ incidents: [incident('c1r2n3/g0', 10), incident('c1r2n3/g1', 5), incident('c1r2n3/g2', 1)] });
    expect(one(r, 'open_ticket', 'c1r2n3').target.kind).toBe('node');
    one(r, 'drain_node', 'c1r2n3');
    expect(r.actions).toHaveLength(2);
  });

  it('follows the configured count and window', () => {
    const policy = definePolicy({ repeatOffender: { incidents: 2, windowMs: 7 * DAY } });
    expect(run({ incidents: [incident(GPU, 6), incident(GPU, 1)] }, policy).actions).toHaveLength(2);
    expect(run({ incidents: [incident(GPU, 8), incident(GPU, 1)] }, policy).actions).toEqual([]);
    expect(() => definePolicy({ repeatOffender: { incidents: 0, windowMs: DAY } })).toThrow(/repeatOffender.incidents/);
  });
});
