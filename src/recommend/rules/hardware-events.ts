/**
 * Hardware events: XIDs from the driver log and ECC / row-remapper counters. Each XID within the lookback is
 * handled by its entry in xid-rules.ts; ECC counters that report the same fault as an XID (a DBE count without
 * an XID 48 in the log, a row-remap failure flag without an XID 64 ...) borrow that XID's actions and share
 * their ids, so the fault gets one set of actions whichever signal saw it first.
 */
import { type DeviceLocation, gpuTarget, jobTarget, nodeTarget } from '../topology.js';
import type { EccState, Evidence, TicketKind, XidEvent } from '../types.js';
import { type XidRule, xidRule, xidRuleForFault } from '../xid-rules.js';
import { type ActionDraft, draft, isFresh, isoTime, latestByKey, type RuleContext } from './context.js';

export function hardwareEventRules(ctx: RuleContext): ActionDraft[] {
  const out: ActionDraft[] = [];
  const seenFaults = new Set<string>();
  for (const [device, events] of recentXidsByDevice(ctx)) {
    const loc = ctx.topo.device(device);
    if (loc === undefined) {
      ctx.note(`XID events on ${device} ignored: device not in the fleet topology`);
      continue;
    }
    for (const [code, ofCode] of groupByCode(events)) {
      const rule = xidRule(code);
      if (rule === undefined) {
        ctx.note(`XID ${code} on ${device} has no rule in xid-rules.ts; logged only`);
        continue;
      }
      const key = faultKey(rule, device);
      seenFaults.add(key);
      const last = ofCode[ofCode.length - 1];
      const reason =
        `XID ${code} (${rule.meaning}) on ${device}: ${ofCode.length} event(s) in the last ` +
        `${Math.round(ctx.config.xid.lookbackMs / 60_000)} min, last at ${isoTime(last.ts)}.`;
      const evidence: Evidence = { kind: 'xid', key, devices: [device], xids: ofCode };
      out.push(...ruleActions(ctx, loc, rule, evidence, reason));
      if (rule.recurrence !== undefined && ofCode.length >= rule.recurrence.count) {
        const why = `${reason} It recurred ${ofCode.length} times (>= ${rule.recurrence.count}): no longer transient.`;
        out.push(ticket(loc, rule, rule.recurrence.ticketKind, { ...evidence, key: `${key}:recurring` }, why));
      }
    }
  }
  for (const ecc of latestByKey(ctx.input.ecc, (e) => e.device).values()) {
    if (!isFresh(ctx, ecc.ts)) {
      ctx.note(`ECC counters of ${ecc.device} from ${isoTime(ecc.ts)} are stale; ignored`);
      continue;
    }
    const loc = ctx.topo.device(ecc.device);
    if (loc === undefined) {
      ctx.note(`ECC counters of ${ecc.device} ignored: device not in the fleet topology`);
      continue;
    }
    for (const [fault, why] of eccFaults(ctx, ecc)) {
      const rule = xidRuleForFault(fault);
      const key = faultKey(rule, ecc.device);
      if (seenFaults.has(key)) continue; // the XID already reported this fault: one set of actions
      const reason = `ECC counters on ${ecc.device} at ${isoTime(ecc.ts)}: ${why} (the fault XID ${rule.code} reports: ${rule.meaning}).`;
      out.push(...ruleActions(ctx, loc, rule, { kind: 'ecc', key, devices: [ecc.device], ecc }, reason));
    }
  }
  return out;
}

/** The ECC faults the counters show, with the evidence in words. */
function eccFaults(ctx: RuleContext, ecc: EccState): [NonNullable<XidRule['fault']>, string][] {
  const t = ctx.config.ecc;
  const found: [NonNullable<XidRule['fault']>, string][] = [];
  if (ecc.dbeCount >= t.dbeCount) found.push(['dbe', `${ecc.dbeCount} double-bit errors (threshold ${t.dbeCount})`]);
  if (ecc.rowRemapFailure) found.push(['row-remap-failure', 'the row remapper reports a failed remap']);
  else if (ecc.remappedRowsPending >= t.remappedRowsPending) {
    found.push([
      'row-remap-pending',
      `${ecc.remappedRowsPending} rows pending remap (threshold ${t.remappedRowsPending})`,
    ]);
  }
  if (ecc.sbeRatePerHour >= t.sbeRatePerHour) {
    found.push(['sbe-rate', `${ecc.sbeRatePerHour} single-bit errors per hour (threshold ${t.sbeRatePerHour})`]);
  }
  return found;
}

/** The actions an XID rule prescribes, for one device, with the drain before whatever needs it. */
function ruleActions(
  ctx: RuleContext,
  loc: DeviceLocation,
  rule: XidRule,
  evidence: Evidence,
  reason: string,
): ActionDraft[] {
  const guidance = `NVIDIA guidance: ${rule.actions.map((a) => a.ticketKind ?? a.type).join(' + ') || 'no action'}.`;
  const why = `${reason} ${guidance}`;
  const base = { severity: rule.severity, confidence: rule.confidence, evidence, reason: why };
  const jobs = ctx.topo.jobsOnNode(loc.node);
  const drain = rule.actions.some((a) => a.type === 'drain_node')
    ? draft({
        ...base,
        type: 'drain_node',
        target: nodeTarget(loc),
        expectedBenefit: {
          summary: `keep new work off ${loc.node} and move its ${jobs.length} job(s) before the faulty GPU fails them`,
          jobsProtected: jobs.length,
          gpusAffected: ctx.topo.node(loc.node)?.devices.length ?? 0,
        },
      })
    : undefined;
  const afterDrain = drain === undefined ? [] : [drain.id];
  const out: ActionDraft[] = drain === undefined ? [] : [drain];
  for (const spec of rule.actions) {
    switch (spec.type) {
      case 'drain_node':
        break;
      case 'reset_gpu':
        out.push(
          draft({
            ...base,
            type: 'reset_gpu',
            target: gpuTarget(loc),
            dependsOn: afterDrain,
            params: spec.whenIdle ? { whenIdle: true } : {},
            expectedBenefit: {
              summary: `clear the fault state of ${loc.device}${spec.whenIdle ? ' once it is idle' : ''}`,
              gpusAffected: 1,
            },
          }),
        );
        break;
      case 'reboot_node':
        out.push(
          draft({
            ...base,
            type: 'reboot_node',
            target: nodeTarget(loc),
            dependsOn: afterDrain,
            expectedBenefit: { summary: `bring ${loc.device} back on the bus`, gpusAffected: 1 },
          }),
        );
        break;
      case 'restart_application': {
        const onDevice = ctx.topo.jobsOnDevice(loc.device);
        if (onDevice.length === 0) ctx.note(`XID ${rule.code} on ${loc.device}: no job runs there, nothing to restart`);
        for (const job of onDevice) {
          out.push(
            draft({
              ...base,
              type: 'restart_application',
              target: jobTarget(job, ctx.topo, loc.device),
              params: { device: loc.device },
              expectedBenefit: { summary: `resume job ${job.id} from its last checkpoint`, jobsProtected: 1 },
            }),
          );
        }
        break;
      }
      case 'open_ticket':
        out.push(ticket(loc, rule, spec.ticketKind ?? 'hardware', evidence, why));
        break;
      default:
        ctx.note(`XID ${rule.code}: action ${spec.type} is not supported for XIDs; skipped`);
    }
  }
  return out;
}

function ticket(loc: DeviceLocation, rule: XidRule, kind: TicketKind, evidence: Evidence, reason: string): ActionDraft {
  return draft({
    type: 'open_ticket',
    target: gpuTarget(loc),
    severity: rule.severity === 'info' ? 'warning' : rule.severity,
    confidence: rule.confidence,
    evidence,
    reason,
    params: { ticketKind: kind, xid: rule.code },
    expectedBenefit: { summary: `${kind} ticket for ${loc.device} so the hardware is serviced`, gpusAffected: 1 },
  });
}

/** One key per fault and device: the XID's fault name when ECC counters can report it too, else the code. */
function faultKey(rule: XidRule, device: string): string {
  return `${rule.fault ?? `xid-${rule.code}`}:${device}`;
}

function recentXidsByDevice(ctx: RuleContext): Map<string, XidEvent[]> {
  const { now } = ctx.input;
  const out = new Map<string, XidEvent[]>();
  for (const e of ctx.input.xidEvents) {
    if (now - e.ts > ctx.config.xid.lookbackMs) continue;
    out.set(e.device, [...(out.get(e.device) ?? []), e]);
  }
  return out;
}

function groupByCode(events: readonly XidEvent[]): Map<number, XidEvent[]> {
  const out = new Map<number, XidEvent[]>();
  for (const e of events) out.set(e.code, [...(out.get(e.code) ?? []), e]);
  return new Map([...out].sort(([a], [b]) => a - b));
}
