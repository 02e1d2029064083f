/**
 * Blast radius: never take more than `maxRackShare` of a rack's nodes, or `maxClusterShare` of a cluster's, out
 * of service at once (at least `minNodes` are always allowed, so a small rack can still lose its dead node).
 * Nodes already out through open node-removing actions count first; candidates are admitted in priority order
 * (higher severity first), so when the budget runs out it is the less urgent drains that wait.
 * A second node-removing action on a node already out (a reboot after its drain) costs nothing more. A drain
 * scheduled for later (`notBefore`) counts from the moment it is proposed: the budget is reserved for it.
 */
import type { RuleContext } from '../rules/context.js';
import { round } from '../rules/context.js';
import type { ActionTarget } from '../types.js';
import { type Candidate, describe, isLive, OPEN_STATUSES, suppress } from './candidate.js';

export function blastRadiusRail(candidates: readonly Candidate[], ctx: RuleContext): void {
  const cfg = ctx.config.blastRadius;
  const removing = new Set(cfg.nodeRemovingTypes);
  const out = new Set<string>();
  const perRack = new Map<string, number>();
  const perCluster = new Map<string, number>();
  const place = (t: ActionTarget): { node: string; rack: string; cluster: string } => {
    const node = t.node ?? t.id;
    const loc = ctx.topo.node(node);
    return { node, rack: loc?.rack ?? t.rack, cluster: loc?.cluster ?? t.cluster };
  };
  const take = (p: { node: string; rack: string; cluster: string }): void => {
    out.add(p.node);
    perRack.set(p.rack, (perRack.get(p.rack) ?? 0) + 1);
    perCluster.set(p.cluster, (perCluster.get(p.cluster) ?? 0) + 1);
  };
  for (const a of ctx.input.openActions) {
    if (!OPEN_STATUSES.has(a.status) || !removing.has(a.type)) continue;
    const p = place(a.target);
    if (!out.has(p.node)) take(p);
  }
  for (const c of candidates) {
    if (!isLive(c) || !removing.has(c.draft.type)) continue;
    const p = place(c.draft.target);
    if (out.has(p.node)) continue;
    const rackNodes = ctx.topo.rackNodeCount(p.rack);
    const clusterNodes = ctx.topo.clusterNodeCount(p.cluster);
    const rackLimit = Math.max(cfg.minNodes, Math.floor(cfg.maxRackShare * rackNodes));
    const clusterLimit = Math.max(cfg.minNodes, Math.floor(cfg.maxClusterShare * clusterNodes));
    const inRack = perRack.get(p.rack) ?? 0;
    const inCluster = perCluster.get(p.cluster) ?? 0;
    if (inRack + 1 > rackLimit) {
      suppress(
        c,
        'blast-radius',
        `${describe(c.draft)}: rack ${p.rack} already has ${inRack} of ${rackNodes} nodes out of service ` +
          `(limit ${rackLimit}: ${round(cfg.maxRackShare * 100, 1)}%)`,
      );
    } else if (inCluster + 1 > clusterLimit) {
      suppress(
        c,
        'blast-radius',
        `${describe(c.draft)}: cluster ${p.cluster} already has ${inCluster} of ${clusterNodes} nodes out of service ` +
          `(limit ${clusterLimit}: ${round(cfg.maxClusterShare * 100, 1)}%)`,
      );
    } else {
      take(p);
    }
  }
}
