import { describe, expect, it } from 'vitest';
import { fleet, HOUR, NOW, one, prediction, proposed, record, run, suppressed, xids } from './testing/fleet.js';
import type { ActionTarget } from './types.js';

const node = (id: string, rack: string, cluster = 'c1'): ActionTarget => ({
  kind: 'node',
  id,
  cluster,
  rack,
  node: id,
});
const openDrain = (id: string, rack: string) =>
  record({ id: `act_open_${id}`, type: 'drain_node', target: node(id, rack), params: {} });

describe('blast radius per rack', () => {
  // default fleet: racks of 4 nodes, max 25% → 1 node per rack at once
  it('the more severe drain wins the rack budget; the other waits', () => {
    const r = run({
      xidEvents: xids('c1r1n2/g0', 48), // critical
      faultPredictions: [prediction('c1r1n3/g0', 0.8, { ttfMs: 5 * HOUR })], // warning, same rack
    });
    const drains = r.actions.filter((a) => a.type === 'drain_node');
    expect(drains.find((d) => d.target.id === 'c1r1n2')?.status).toBe('proposed');
    const waiting = drains.find((d) => d.target.id === 'c1r1n3')!;
    expect(waiting.suppressedBy).toBe('blast-radius');
    expect(r.decisions.find((d) => d.actionId === waiting.id)?.message).toContain('rack c1r1 already has 1 of 4 nodes');
  });

  it('drains already open count, and the reset waiting for a blocked drain is blocked with it', () => {
    const r = run({ xidEvents: xids('c1r1n2/g0', 48), openActions: [openDrain('c1r1n4', 'c1r1')] });
    expect(one(r, 'drain_node').suppressedBy).toBe('blast-radius');
    const reset = one(r, 'reset_gpu');
    expect(reset.suppressedBy).toBe('blast-radius');
    expect(r.decisions.find((d) => d.actionId === reset.id)?.message).toContain('must wait for drain_node');
  });

  it('an open drain in another rack does not count against this rack', () => {
    const r = run({ xidEvents: xids('c1r1n2/g0', 48), openActions: [openDrain('c1r2n1', 'c1r2')] });
    // cluster: 8 nodes, 10% → the 1-node minimum; the other rack's drain uses it
    expect(one(r, 'drain_node').suppressedBy).toBe('blast-radius');
    expect(r.decisions.find((d) => d.actionId === one(r, 'drain_node').id)?.message).toContain('cluster c1');
  });

  it('a reboot after the drain of the same node costs nothing more', () => {
    const r = run({ xidEvents: xids('c1r1n2/g0', 79) });
    expect(
      proposed(r)
        .map((a) => a.type)
        .sort(),
    ).toEqual(['drain_node', 'open_ticket', 'reboot_node']);
  });

  it('a small rack can still lose one node (minimum), but not two', () => {
    const topology = fleet({ racks: 1, nodes: 2, gpus: 2 });
    const r = run({ topology, xidEvents: [...xids('c1r1n1/g0', 48), ...xids('c1r1n2/g1', 79)] });
    const drains = r.actions.filter((a) => a.type === 'drain_node');
    expect(drains.map((d) => d.status).sort()).toEqual(['proposed', 'suppressed']);
    // XID 79 (confidence 0.99) goes before XID 48 (0.98) at equal severity
    expect(drains.find((d) => d.status === 'proposed')?.target.id).toBe('c1r1n2');
  });
});

describe('blast radius per cluster', () => {
  it('at most 10% of a cluster is drained at once, counting open drains, most severe first', () => {
    // 4 racks × 8 nodes = 32 nodes: 3 at once per cluster, 2 per rack
    const topology = fleet({ racks: 4, nodes: 8, gpus: 2 });
    const r = run({
      topology,
      now: NOW,
      openActions: [openDrain('c1r4n8', 'c1r4')],
      xidEvents: [...xids('c1r1n1/g0', 79), ...xids('c1r2n1/g0', 48), ...xids('c1r3n1/g0', 48)],
    });
    const drains = r.actions.filter((a) => a.type === 'drain_node');
    expect(drains.filter((d) => d.status === 'proposed').map((d) => d.target.id)).toEqual(['c1r1n1', 'c1r2n1']);
    expect(drains.filter((d) => d.suppressedBy === 'blast-radius')).toHaveLength(1);
    expect(suppressed(r).every((a) => a.suppressedBy === 'blast-radius')).toBe(true);
  });

  it('within a rack the per-rack share applies first', () => {
    const topology = fleet({ racks: 4, nodes: 8, gpus: 2 });
    const r = run({ topology, xidEvents: ['c1r1n1', 'c1r1n2', 'c1r1n3'].flatMap((n) => xids(`${n}/g0`, 48)) });
    const drains = r.actions.filter((a) => a.type === 'drain_node');
    expect(drains.filter((d) => d.status === 'proposed')).toHaveLength(2);
    const blocked = drains.find((d) => d.status === 'suppressed')!;
    expect(r.decisions.find((d) => d.actionId === blocked.id)?.message).toContain('rack c1r1 already has 2 of 8');
  });
});
