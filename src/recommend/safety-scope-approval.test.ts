import { describe, expect, it } from 'vitest';
import { definePolicy } from './config.js';
import { HOUR, input, MIN, NOW, one, prediction, proposed, run, TPUT, xids } from './testing/fleet.js';
import type { MaintenanceWindow, PolicyInput, ScopeRef } from './types.js';

const DEV = 'c1r1n1/g2'; // node c1r1n1 runs job train-a on all its GPUs

const withSafety = (over: Partial<PolicyInput>, safety: Partial<PolicyInput['safety']>) => {
  const base = input(over);
  return run({ ...base, safety: { ...base.safety, ...safety } });
};

describe('opt-out', () => {
  it.each<[string, ScopeRef]>([
    ['the GPU', { kind: 'gpu', id: DEV }],
    ['another GPU of the node (the drain touches it)', { kind: 'gpu', id: 'c1r1n1/g0' }],
    ['the node', { kind: 'node', id: 'c1r1n1' }],
    ['the job running there', { kind: 'job', id: 'train-a' }],
    ['the rack', { kind: 'rack', id: 'c1r1' }],
    ['the cluster', { kind: 'cluster', id: 'c1' }],
  ])('opting out %s suppresses the drain and reset', (_, scope) => {
    const r = withSafety({ xidEvents: xids(DEV, 48) }, { optOut: [scope] });
    expect(r.actions.map((a) => a.suppressedBy)).toEqual(['opt-out', 'opt-out']);
    expect(r.decisions[0].message).toContain(`${scope.kind} ${scope.id}`);
  });

  it('an opt-out elsewhere changes nothing', () => {
    const r = withSafety(
      { xidEvents: xids(DEV, 48) },
      {
        optOut: [
          { kind: 'node', id: 'c1r1n2' },
          { kind: 'job', id: 'infer-b' },
        ],
      },
    );
    expect(proposed(r)).toHaveLength(2);
  });

  it('a cooling alert is about the room: a GPU opt-out in the rack does not stop it, the rack opt-out does', () => {
    const facility = [{ rack: 'c1r1', ts: NOW - MIN, inletTempC: 30 }];
    expect(proposed(withSafety({ facility }, { optOut: [{ kind: 'gpu', id: DEV }] }))).toHaveLength(1);
    expect(proposed(withSafety({ facility }, { optOut: [{ kind: 'rack', id: 'c1r1' }] }))).toHaveLength(0);
  });
});

describe('maintenance windows', () => {
  const window = (start: number, end: number, scope: ScopeRef = { kind: 'node', id: 'c1r1n1' }): MaintenanceWindow => ({
    scope,
    start,
    end,
    note: 'PSU swap',
  });

  it('actions on a target inside an active window are suppressed, with the window in the log', () => {
    const r = withSafety({ xidEvents: xids(DEV, 48) }, { maintenanceWindows: [window(NOW - HOUR, NOW + HOUR)] });
    expect(r.actions.map((a) => a.suppressedBy)).toEqual(['maintenance-window', 'maintenance-window']);
    expect(r.decisions[0].message).toContain('PSU swap');
  });

  it('past and future windows do not suppress immediate actions', () => {
    const r = withSafety(
      { xidEvents: xids(DEV, 48) },
      { maintenanceWindows: [window(NOW - 3 * HOUR, NOW - HOUR), window(NOW + HOUR, NOW + 2 * HOUR)] },
    );
    expect(proposed(r)).toHaveLength(2);
  });

  it('a scheduled drain that would run inside a coming window is suppressed; what runs now is not', () => {
    const drainAt = NOW - MIN + 5 * HOUR - 30 * MIN;
    const r = withSafety(
      { faultPredictions: [prediction(DEV, 0.8, { ttfMs: 5 * HOUR })] },
      { maintenanceWindows: [window(drainAt - 5 * MIN, drainAt + 2 * HOUR)] },
    );
    expect(one(r, 'drain_node').suppressedBy).toBe('maintenance-window');
    expect(one(r, 'open_ticket').status).toBe('proposed');
    expect(one(r, 'migrate_job').status).toBe('proposed');
  });
});

describe('approvals and dry run', () => {
  it('critical actions need approval; a single warning drain does not', () => {
    expect(one(run({ xidEvents: xids(DEV, 48) }), 'drain_node').requiresApproval).toBe(true);
    const warning = one(run({ faultPredictions: [prediction(DEV, 0.8, { ttfMs: 5 * HOUR })] }), 'drain_node');
    expect(warning.severity).toBe('warning');
    expect(warning.requiresApproval).toBe(false);
  });

  it('draining more than one node in one decision needs approval for each drain', () => {
    const r = run(
      {
        faultPredictions: [
          prediction('c1r1n1/g0', 0.8, { ttfMs: 5 * HOUR }),
          prediction('c1r2n1/g0', 0.8, { ttfMs: 5 * HOUR }),
        ],
      },
      definePolicy({ blastRadius: { maxClusterShare: 1 } }),
    );
    const drains = proposed(r).filter((a) => a.type === 'drain_node');
    expect(drains).toHaveLength(2);
    expect(drains.every((d) => d.requiresApproval)).toBe(true);
    expect(r.decisions.find((d) => d.actionId === drains[0].id)?.message).toContain('2 nodes would go out of service');
  });

  it('reboots, RMA tickets and power caps (they slow running jobs down) always need approval', () => {
    expect(one(run({ xidEvents: xids(DEV, 79) }), 'reboot_node').requiresApproval).toBe(true);
    expect(one(run({ xidEvents: xids(DEV, 64) }), 'open_ticket').requiresApproval).toBe(true);
    const cap = run({
      powerForecasts: [
        {
          subject: { kind: 'job', id: 'train-a' },
          ts: NOW - MIN,
          model: TPUT,
          current: { powerCapW: 700, throughput: 100, powerW: 2800 },
          candidates: [{ powerCapW: 550, throughput: 98, powerW: 2300 }],
        },
      ],
    });
    expect(one(cap, 'power_cap_gpu').requiresApproval).toBe(true);
  });

  it('the approval severity comes from the policy', () => {
    const strict = definePolicy({ approval: { minSeverity: 'warning' } });
    expect(one(run({ xidEvents: xids(DEV, 63) }, strict), 'reset_gpu').requiresApproval).toBe(true);
    expect(one(run({ xidEvents: xids(DEV, 63) }), 'reset_gpu').requiresApproval).toBe(false);
  });

  it('the dry-run flag is carried on every action, proposed or suppressed', () => {
    const r = withSafety({ xidEvents: [...xids(DEV, 79), ...xids('c1r1n2/g0', 48)] }, { dryRun: true });
    expect(r.actions.length).toBeGreaterThan(3);
    expect(r.actions.some((a) => a.status === 'suppressed')).toBe(true);
    expect(r.actions.every((a) => a.dryRun)).toBe(true);
    expect(run({ xidEvents: xids(DEV, 79) }).actions.every((a) => !a.dryRun)).toBe(true);
  });
});
