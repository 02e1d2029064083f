import { describe, expect, it } from 'vitest';
import { definePolicy } from './config.js';
import { actionId } from './ids.js';
import { HOUR, MIN, NOW, one, proposed, record, run, xids } from './testing/fleet.js';

const DEV = 'c1r1n1/g2';

describe('stable ids', () => {
  it('the same fault detected again later gives the same ids', () => {
    const first = run({ xidEvents: xids(DEV, 48) });
    const later = run({
      now: NOW + 20 * MIN,
      xidEvents: [{ device: DEV, code: 48, ts: NOW + 15 * MIN }, ...xids(DEV, 48)],
    });
    expect(later.actions.map((a) => a.id).sort()).toEqual(first.actions.map((a) => a.id).sort());
  });

  it('ids are the hash of type + target + evidence key, and differ when any of them does', () => {
    const drain = one(run({ xidEvents: xids(DEV, 48) }), 'drain_node');
    expect(drain.id).toBe(actionId('drain_node', drain.target, drain.evidence.key));
    expect(drain.id).toMatch(/^act_[0-9a-f]{20}$/);
    expect(actionId('drain_node', { kind: 'node', id: 'x' }, 'k')).not.toBe(
      actionId('reboot_node', { kind: 'node', id: 'x' }, 'k'),
    );
    expect(actionId('drain_node', { kind: 'node', id: 'x' }, 'k')).not.toBe(
      actionId('drain_node', { kind: 'node', id: 'y' }, 'k'),
    );
    expect(actionId('drain_node', { kind: 'node', id: 'x' }, 'k')).not.toBe(
      actionId('drain_node', { kind: 'node', id: 'x' }, 'j'),
    );
  });
});

describe('de-duplication', () => {
  it('an action already open on the target is suppressed, and what depended on it waits for the open one', () => {
    const openDrain = {
      id: 'act_open_drain',
      type: 'drain_node' as const,
      target: { kind: 'node' as const, id: 'c1r1n1', cluster: 'c1', rack: 'c1r1', node: 'c1r1n1' },
    };
    const r = run({
      xidEvents: xids(DEV, 48),
      openActions: [record({ ...openDrain, params: {} }, { status: 'running' })],
    });
    const drain = one(r, 'drain_node');
    expect(drain.status).toBe('suppressed');
    expect(drain.suppressedBy).toBe('dedup');
    const reset = one(r, 'reset_gpu');
    expect(reset.status).toBe('proposed');
    expect(reset.dependsOn).toEqual(['act_open_drain']);
    expect(r.decisions.find((d) => d.actionId === drain.id)?.message).toContain('already open as act_open_drain');
  });

  it('the same action twice in one decision is proposed once; dependants follow the one kept', () => {
    const r = run({ xidEvents: [...xids(DEV, 48), ...xids('c1r1n1/g3', 95)] });
    const drains = r.actions.filter((a) => a.type === 'drain_node');
    expect(drains.map((d) => d.status).sort()).toEqual(['proposed', 'suppressed']);
    const kept = drains.find((d) => d.status === 'proposed')!;
    const resets = r.actions.filter((a) => a.type === 'reset_gpu');
    expect(resets).toHaveLength(2);
    for (const reset of resets) expect(reset.dependsOn).toEqual([kept.id]);
  });

  it('finished actions do not de-duplicate, and a different ticket kind is a different action', () => {
    const first = run({ xidEvents: xids(DEV, 64) });
    const ticket = one(first, 'open_ticket');
    const done = run({ xidEvents: xids(DEV, 64), openActions: [record(ticket, { status: 'succeeded' })] });
    expect(one(done, 'open_ticket').status).toBe('proposed');
    const otherKind = run({
      xidEvents: xids(DEV, 64),
      openActions: [record({ ...ticket, id: 'act_t', params: { ticketKind: 'maintenance' } })],
    });
    expect(one(otherKind, 'open_ticket').status).toBe('proposed');
    const sameKind = run({ xidEvents: xids(DEV, 64), openActions: [record({ ...ticket, id: 'act_t' })] });
    expect(one(sameKind, 'open_ticket').suppressedBy).toBe('dedup');
  });
});

describe('cooldowns', () => {
  const drainOf = () => one(run({ xidEvents: xids(DEV, 48) }), 'drain_node');

  it('no new drain of a node within the drain cooldown of the last one, whatever became of it', () => {
    for (const status of ['succeeded', 'failed', 'rejected'] as const) {
      const r = run({ xidEvents: xids(DEV, 48), history: [record(drainOf(), { status, createdAt: NOW - 2 * HOUR })] });
      const drain = one(r, 'drain_node');
      expect(drain.suppressedBy).toBe('cooldown');
      expect(r.decisions.find((d) => d.actionId === drain.id)?.message).toContain('cooldown 6 h');
    }
  });

  it('after the cooldown the action comes back', () => {
    const r = run({
      xidEvents: xids(DEV, 48),
      history: [record(drainOf(), { status: 'succeeded', createdAt: NOW - 7 * HOUR })],
    });
    expect(one(r, 'drain_node').status).toBe('proposed');
  });

  it('the cooldown is per type and target: another type or node is unaffected', () => {
    const past = record(drainOf(), { status: 'succeeded', createdAt: NOW - HOUR });
    const r = run({ xidEvents: [...xids(DEV, 48), ...xids('c1r2n1/g0', 119)], history: [past] });
    expect(one(r, 'drain_node').suppressedBy).toBe('cooldown');
    expect(r.actions.filter((a) => a.type === 'reset_gpu').every((a) => a.status === 'proposed')).toBe(true);
  });

  it('durations come from the policy', () => {
    const noCooldown = definePolicy({ cooldownMs: { drain_node: 0 } });
    const r = run(
      { xidEvents: xids(DEV, 48), history: [record(drainOf(), { status: 'succeeded', createdAt: NOW - MIN })] },
      noCooldown,
    );
    expect(proposed(r).map((a) => a.type)).toContain('drain_node');
  });
});
