import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../errors.js';
import { DEFAULT_POLICY, definePolicy } from './config.js';
import { recommend } from './engine.js';
import { policyInput } from './input.js';
import { anomaly, fleet, HOUR, input, JOBS, MIN, NOW, prediction, proposed, TPUT, xids } from './testing/fleet.js';
import { topologyFromDevices } from './topology.js';
import { ACTION_TYPES, type PolicyInput } from './types.js';

const JOB_C = { id: 'train-c', cluster: 'c1', devices: ['c1r2n2/g0', 'c1r2n2/g1', 'c1r2n2/g2', 'c1r2n2/g3'] };
const relaxed = definePolicy({ blastRadius: { maxRackShare: 1, maxClusterShare: 1 } });

/** A busy fleet with evidence of every kind. */
function busy(): PolicyInput {
  return input({
    topology: fleet({ jobs: [...JOBS, JOB_C] }),
    xidEvents: [
      ...xids('c1r1n1/g2', 48),
      ...xids('c1r2n1/g0', 79),
      ...xids('c1r2n2/g1', 94),
      ...xids('c1r1n3/g1', 119, 2),
    ],
    faultPredictions: [prediction('c1r1n2/g0', 0.85, { ttfMs: 6 * HOUR }), prediction('c1r1n4/g0', 0.2)],
    anomalies: [
      anomaly('c1r2n3/g1', 2.5, [
        ['power_w', 0.5],
        ['clock_event_reasons', 0.3],
      ]),
      // same device and time from a newer model version: the canonical order, not the caller's, picks one
      anomaly('c1r2n3/g1', 2.6, [['power_w', 0.4]], { model: { name: 'lstm-ae', version: '4' } }),
      anomaly('c1r2n4/g0', 1.1, [['gpu_temp_c', 1]]),
    ],
    utilisation: [97, 95, 30, 96].map((gpuUtilPct, g) => ({ device: `c1r2n2/g${g}`, ts: NOW - MIN, gpuUtilPct })),
    facility: [
      { rack: 'c1r1', ts: NOW - MIN, inletTempC: 31, coolantTempC: 30 },
      { rack: 'c1r2', ts: NOW - 2 * MIN, inletTempC: 22 },
    ],
    powerForecasts: [
      {
        subject: { kind: 'job', id: 'infer-b' },
        ts: NOW - MIN,
        model: TPUT,
        current: { powerCapW: 700, throughput: 500, powerW: 650 },
        candidates: [{ powerCapW: 450, throughput: 485, powerW: 440 }],
      },
    ],
  });
}

/** A fixed reordering of every array (reverse, then rotate by one). */
function reorder<T>(xs: readonly T[]): T[] {
  const r = [...xs].reverse();
  return r.length > 1 ? [...r.slice(1), r[0]] : r;
}

function deepFreeze<T>(o: T): T {
  for (const v of Object.values(o as object)) if (v && typeof v === 'object') deepFreeze(v);
  return Object.freeze(o);
}

afterEach(() => vi.restoreAllMocks());

describe('recommend()', () => {
  it('produces every action type from a busy fleet', () => {
    const r = recommend(busy(), relaxed);
    expect(new Set(r.actions.map((a) => a.type))).toEqual(new Set(ACTION_TYPES));
  });

  it('is deterministic: same input in any order gives the identical result', () => {
    const a = recommend(busy(), relaxed);
    const i = busy();
    const shuffled: PolicyInput = {
      ...i,
      xidEvents: reorder(i.xidEvents),
      faultPredictions: reorder(i.faultPredictions),
      anomalies: reorder(i.anomalies),
      utilisation: reorder(i.utilisation),
      facility: reorder(i.facility),
      topology: { clusters: i.topology.clusters, jobs: reorder(i.topology.jobs) },
    };
    expect(JSON.stringify(recommend(shuffled, relaxed))).toBe(JSON.stringify(a));
    expect(JSON.stringify(recommend(busy(), relaxed))).toBe(JSON.stringify(a));
  });

  it('is pure: reads no clock or randomness and does not modify its input', () => {
    const expected = JSON.stringify(recommend(busy(), relaxed));
    vi.spyOn(Date, 'now').mockImplementation(() => {
      throw new Error('Date.now() called');
    });
    vi.spyOn(Math, 'random').mockImplementation(() => {
      throw new Error('Math.random() called');
    });
    expect(JSON.stringify(recommend(deepFreeze(busy()), relaxed))).toBe(expected);
  });

  it('lists proposed actions first, most severe first, then the suppressed ones', () => {
    const r = recommend(busy()); // default policy: the blast radius holds some drains back
    const statuses = r.actions.map((a) => a.status);
    expect(statuses.indexOf('suppressed')).toBeGreaterThan(0);
    expect(statuses.slice(statuses.indexOf('suppressed')).every((s) => s === 'suppressed')).toBe(true);
    const rank = { critical: 2, warning: 1, info: 0 };
    const sev = proposed(r).map((a) => rank[a.severity]);
    expect(sev).toEqual([...sev].sort((x, y) => y - x));
  });

  it('logs one decision per action, naming the rail for each suppression, plus notes about the input', () => {
    const r = recommend(busy());
    expect(r.decisions.filter((d) => d.actionId !== undefined).map((d) => d.actionId)).toEqual(
      r.actions.map((a) => a.id),
    );
    for (const a of r.actions.filter((x) => x.status === 'suppressed')) {
      const d = r.decisions.find((x) => x.actionId === a.id)!;
      expect(d.rail).toBe(a.suppressedBy);
      expect(d.message.length).toBeGreaterThan(30);
    }
    // the info-level temperature anomaly on c1r2n4/g0 is only noted
    expect(r.decisions.some((d) => d.outcome === 'note' && d.message.includes('c1r2n4/g0'))).toBe(true);
  });

  it('every action carries confidence in 0..1, a reason and structured evidence', () => {
    for (const a of recommend(busy(), relaxed).actions) {
      expect(a.confidence).toBeGreaterThan(0);
      expect(a.confidence).toBeLessThanOrEqual(1);
      expect(a.reason.length).toBeGreaterThan(20);
      expect(a.evidence.key.length).toBeGreaterThan(0);
      expect(a.expectedBenefit.summary.length).toBeGreaterThan(5);
    }
  });

  it('an empty fleet gives an empty result', () => {
    const r = recommend(input({ topology: { clusters: [], jobs: [] } }));
    expect(r).toEqual({
      now: NOW,
      actions: [],
      withdrawn: [],
      decisions: [],
      circuitBreaker: { tripped: false, shouldTrip: false, count: 0, limit: 10, windowMs: HOUR },
    });
  });
});

describe('policyInput', () => {
  it('fills empty evidence and a safe (dry-run) safety state', () => {
    const i = policyInput({
      now: NOW,
      topology: fleet(),
      xidEvents: xids('c1r1n1/g0', 48),
      safety: { optOut: [{ kind: 'rack', id: 'c1r2' }] },
    });
    expect(i.anomalies).toEqual([]);
    expect(i.safety).toEqual({
      optOut: [{ kind: 'rack', id: 'c1r2' }],
      maintenanceWindows: [],
      circuitBreakerTripped: false,
      dryRun: true,
    });
    expect(recommend(i).actions.every((a) => a.dryRun)).toBe(true);
  });
});

describe('topologyFromDevices', () => {
  it('builds the same tree as the fixture from a flat device list', () => {
    const flat = fleet().clusters.flatMap((c) =>
      c.racks.flatMap((r) =>
        r.nodes.flatMap((n) => n.gpus.map((gpu) => ({ cluster: c.id, rack: r.id, node: n.id, gpu }))),
      ),
    );
    expect(topologyFromDevices(reorder(flat))).toEqual(fleet());
  });
});

describe('policy configuration', () => {
  it('defaults are frozen, overrides merge without touching them', () => {
    expect(Object.isFrozen(DEFAULT_POLICY.cooldownMs)).toBe(true);
    const p = definePolicy({ power: { throughputLossBudgetPct: 2 }, approval: { alwaysTypes: [] } });
    expect(p.power.throughputLossBudgetPct).toBe(2);
    expect(p.power.minEnergySavingPct).toBe(DEFAULT_POLICY.power.minEnergySavingPct);
    expect(p.approval.alwaysTypes).toEqual([]);
    expect(DEFAULT_POLICY.power.throughputLossBudgetPct).toBe(5);
    expect(DEFAULT_POLICY.approval.alwaysTypes).toEqual(['reboot_node', 'power_cap_gpu']);
  });

  it.each([
    [{ blastRadius: { maxRackShare: 1.5 } }, 'policy.blastRadius.maxRackShare'],
    [{ fault: { actProbability: 0.95 } }, 'policy.fault.criticalProbability'],
    [{ cooldownMs: { drain_node: -1 } }, 'policy.cooldownMs.drain_node'],
    [{ anomaly: { warningMultiple: 0.5 } }, 'policy.anomaly.warningMultiple'],
    [{ ecc: { dbeCount: 0 } }, 'policy.ecc.dbeCount'],
  ])('rejects %j naming the field', (over, field) => {
    try {
      definePolicy(over);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).code).toBe('VALIDATION_FAILED');
      expect((e as AppError).details).toMatchObject({ field });
    }
  });
});
