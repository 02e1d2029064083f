/**
 * Which actions an opt-out or a maintenance window covers. A scope (cluster, rack, node, GPU or job) covers an
 * action when the action's target is inside the scope, or when the action touches a GPU inside the scope: a
 * drain of node n1 touches every GPU of n1 and every job on them, so opting out one GPU or job of n1 keeps the
 * drain off it. A cooling alert touches no GPU (it goes to the facility team), so only its rack or cluster
 * scope covers it.
 */
import type { ActionDraft } from '../rules/context.js';
import type { TopologyIndex } from '../topology.js';
import type { ScopeRef } from '../types.js';

export function covers(scope: ScopeRef, action: ActionDraft, topo: TopologyIndex): boolean {
  const t = action.target;
  if (scope.kind === 'cluster' && t.cluster === scope.id) return true;
  if (scope.kind === 'rack' && t.rack === scope.id) return true;
  if (scope.kind === 'node' && t.node === scope.id) return true;
  if (scope.kind === t.kind && scope.id === t.id) return true;
  const inScope = new Set(scopeDevices(scope, topo));
  return touchedDevices(action, topo).some((d) => inScope.has(d));
}

/** GPUs whose work the action disturbs. */
export function touchedDevices(action: ActionDraft, topo: TopologyIndex): readonly string[] {
  if (action.type === 'facility_cooling_alert') return [];
  const t = action.target;
  switch (t.kind) {
    case 'gpu':
      return [t.id];
    case 'node':
      return topo.node(t.id)?.devices ?? [];
    case 'job':
      return topo.job(t.id)?.devices ?? [];
    case 'rack':
      return topo.rackDevices(t.id);
  }
}

function scopeDevices(scope: ScopeRef, topo: TopologyIndex): readonly string[] {
  switch (scope.kind) {
    case 'gpu':
      return [scope.id];
    case 'node':
      return topo.node(scope.id)?.devices ?? [];
    case 'job':
      return topo.job(scope.id)?.devices ?? [];
    case 'rack':
      return topo.rackDevices(scope.id);
    case 'cluster':
      return []; // matched on the target's cluster above; every target carries it
  }
}
