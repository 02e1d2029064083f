import { describe, expect, it } from 'vitest';
import { ecc, MIN, NOW, notes, one, run, xids } from './testing/fleet.js';

const DEV = 'c1r1n3/g1';

describe('ECC counters', () => {
  it('a double-bit error count acts like XID 48 and shares its action ids', () => {
    const fromCounters = run({ ecc: [ecc(DEV, { dbeCount: 2 })] });
    const fromXid = run({ xidEvents: xids(DEV, 48) });
    expect(fromCounters.actions.map((a) => a.type).sort()).toEqual(['drain_node', 'reset_gpu']);
    expect(fromCounters.actions.map((a) => a.id).sort()).toEqual(fromXid.actions.map((a) => a.id).sort());
    expect(one(fromCounters, 'drain_node').evidence.kind).toBe('ecc');
    expect(one(fromCounters, 'drain_node').reason).toContain('2 double-bit errors');
  });

  it('when both the XID and the counters report a DBE, the fault gets one set of actions (XID evidence)', () => {
    const r = run({ xidEvents: xids(DEV, 48), ecc: [ecc(DEV, { dbeCount: 1 })] });
    expect(r.actions).toHaveLength(2);
    expect(r.actions.every((a) => a.evidence.kind === 'xid')).toBe(true);
  });

  it('a row-remap failure opens an RMA ticket and drains', () => {
    const r = run({ ecc: [ecc(DEV, { rowRemapFailure: true, remappedRowsPending: 3 })] });
    expect(one(r, 'open_ticket').params.ticketKind).toBe('rma');
    expect(one(r, 'drain_node').target.id).toBe('c1r1n3');
    // the failure supersedes the pending rows: no reset to "apply" a remap that failed
    expect(r.actions.some((a) => a.type === 'reset_gpu')).toBe(false);
  });

  it('pending remapped rows get a reset when the GPU is idle', () => {
    const r = run({ ecc: [ecc(DEV, { remappedRowsPending: 1 })] });
    expect(one(r, 'reset_gpu').params).toEqual({ whenIdle: true });
  });

  it('a high single-bit error rate opens a maintenance ticket; a low one does nothing', () => {
    const high = run({ ecc: [ecc(DEV, { sbeRatePerHour: 250 })] });
    expect(one(high, 'open_ticket').params.ticketKind).toBe('maintenance');
    expect(one(high, 'open_ticket').severity).toBe('warning');
    expect(run({ ecc: [ecc(DEV, { sbeRatePerHour: 99 })] }).actions).toEqual([]);
  });

  it('uses the latest counters per device and ignores stale ones', () => {
    const healed = run({
      ecc: [ecc(DEV, { ts: NOW - 5 * MIN, dbeCount: 3 }), ecc(DEV, { ts: NOW - MIN, dbeCount: 0 })],
    });
    expect(healed.actions).toEqual([]);
    const stale = run({ ecc: [ecc(DEV, { ts: NOW - 60 * MIN, dbeCount: 3 })] });
    expect(stale.actions).toEqual([]);
    expect(notes(stale).join('\n')).toContain('stale');
  });
});
