/**
 * Repeat offenders: a GPU with `repeatOffender.incidents` (K) or more incidents within `repeatOffender.windowMs`, or
 * a node with K or more across its GPUs, keeps failing whatever is done to it: quarantine it, i.e. drain the node
 * and open an RMA ticket, with the incident history as evidence. Critical severity, so the rails ask an operator
 * to approve (and an RMA ticket always needs approval).
 *
 * At most once per window, and idempotent: the quarantine is anchored on its trigger, the incident that brought
 * the count in the window to K; a later trigger counts only once a whole window has passed since the previous one.
 * The id comes from the target and the trigger's time, so every forecast run proposes the same action (the store
 * and the dedup rail absorb the repeats). A GPU quarantined in this run covers its node: no second node action.
 */
import { type DeviceLocation, gpuTarget, type NodeLocation, nodeTarget } from '../topology.js';
import type { ActionTarget, Evidence, Incident } from '../types.js';
import { type ActionDraft, draft, isoTime, type RuleContext } from './context.js';

interface Trigger {
  readonly ts: number;
  /** The incidents within the window that ends at the trigger. */
  readonly incidents: readonly Incident[];
}

/** The latest trigger of an ascending incident list: K within a window, a window after the previous trigger. */
export function latestTrigger(sorted: readonly Incident[], k: number, windowMs: number): Trigger | undefined {
  let last: Trigger | undefined;
  for (const e of sorted) {
    const within = sorted.filter((o) => o.ts <= e.ts && o.ts > e.ts - windowMs);
    if (within.length >= k && (last === undefined || e.ts - last.ts >= windowMs))
      last = { ts: e.ts, incidents: within };
  }
  return last;
}

function groupBy(incidents: readonly Incident[], key: (i: Incident) => string): Map<string, Incident[]> {
  const out = new Map<string, Incident[]>();
  for (const i of incidents) out.set(key(i), [...(out.get(key(i)) ?? []), i]);
  for (const list of out.values()) list.sort((a, b) => a.ts - b.ts || a.device.localeCompare(b.device));
  return out;
}

const history = (list: readonly Incident[]) =>
  list.map((i) => `${i.faultType} on ${i.device} at ${isoTime(i.ts)} (${i.source})`).join('; ');

function quarantine(
  ctx: RuleContext,
  place: { node: string; cluster: string; rack: string; devices: readonly string[] },
  ticketTarget: ActionTarget,
  trigger: Trigger,
): ActionDraft[] {
  const { incidents: k, windowMs } = ctx.config.repeatOffender;
  const days = Math.round(windowMs / 86_400_000);
  const who = ticketTarget.kind === 'gpu' ? ticketTarget.id : `node ${place.node}`;
  const reason =
    `Repeat offender: ${who} had ${trigger.incidents.length} incidents within ${days} days (>= ${k}): ` +
    `${history(trigger.incidents)}. It keeps failing: quarantine it (drain, RMA).`;
  const evidence: Evidence = {
    kind: 'repeat-offender',
    key: `repeat-offender:${ticketTarget.id}:${trigger.ts}`,
    devices: [...new Set(trigger.incidents.map((i) => i.device))],
    incidents: trigger.incidents,
  };
  const base = { severity: 'critical' as const, confidence: 0.9, evidence, reason };
  const jobs = ctx.topo.jobsOnNode(place.node);
  return [
    draft({
      ...base,
      type: 'drain_node',
      target: nodeTarget(place),
      expectedBenefit: {
        summary: `keep new work off ${place.node}, which keeps failing, and move its ${jobs.length} job(s)`,
        jobsProtected: jobs.length,
        gpusAffected: place.devices.length,
      },
    }),
    draft({
      ...base,
      type: 'open_ticket',
      target: ticketTarget,
      params: { ticketKind: 'rma' },
      expectedBenefit: { summary: `RMA ticket for ${who} so the hardware is replaced`, gpusAffected: 1 },
    }),
  ];
}

export function repeatOffenderRules(ctx: RuleContext): ActionDraft[] {
  const { now } = ctx.input;
  const { incidents: k, windowMs } = ctx.config.repeatOffender;
  const known = (ctx.input.incidents ?? []).filter((i) => i.ts <= now && ctx.topo.device(i.device) !== undefined);
  const out: ActionDraft[] = [];
  const quarantinedNodes = new Set<string>();
  for (const [device, list] of groupBy(known, (i) => i.device)) {
    const trigger = latestTrigger(list, k, windowMs);
    if (trigger === undefined || now - trigger.ts > windowMs) continue;
    const loc = ctx.topo.device(device) as DeviceLocation;
    const node = ctx.topo.node(loc.node) as NodeLocation;
    quarantinedNodes.add(loc.node);
    out.push(...quarantine(ctx, node, gpuTarget(loc), trigger));
  }
  for (const [nodeId, list] of groupBy(known, (i) => ctx.topo.device(i.device)?.node ?? i.node)) {
    if (quarantinedNodes.has(nodeId)) continue;
    const node = ctx.topo.node(nodeId);
    const trigger = node ? latestTrigger(list, k, windowMs) : undefined;
    if (!node || trigger === undefined || now - trigger.ts > windowMs) continue;
    out.push(...quarantine(ctx, node, nodeTarget(node), trigger));
  }
  return out;
}
