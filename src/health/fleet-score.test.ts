import { describe, expect, it } from 'vitest';
import { fleetScore } from './fleet-score.js';
import { HEALTH_STATES, STATE_WEIGHTS } from './health-policy.js';

describe('fleetScore', () => {
  it('weights each GPU by its state, per cluster and for the fleet', () => {
    const s = fleetScore([
      { cluster: 'b', state: 'healthy' },
      { cluster: 'b', state: 'degraded' },
      { cluster: 'a', state: 'unknown' },
      { cluster: 'a', state: 'healthy' },
    ]);
    expect(s.clusters.map((c) => [c.cluster, c.score, c.gpus])).toEqual([
      ['a', 0.5, 2],
      ['b', (1 + STATE_WEIGHTS.degraded) / 2, 2],
    ]);
    expect(s.fleet.score).toBeCloseTo((2 + STATE_WEIGHTS.degraded) / 4);
    expect(s.fleet.states).toMatchObject({ healthy: 2, degraded: 1, unknown: 1, failing: 0 });
  });
  it('has no score for an empty fleet, 1 for an all-healthy one, 0 for one of failing, drained or silent GPUs', () => {
    expect(fleetScore([]).fleet).toMatchObject({ score: null, gpus: 0 });
    expect(fleetScore([{ cluster: 'a', state: 'healthy' }]).fleet.score).toBe(1);
    for (const state of ['failing', 'drained', 'unknown'] as const)
      expect(fleetScore([{ cluster: 'a', state }]).fleet.score).toBe(0);
  });
  it('weights are in [0, 1] and ordered: healthy ≥ degraded ≥ at_risk ≥ failing', () => {
    for (const s of HEALTH_STATES) expect(STATE_WEIGHTS[s]).toBeGreaterThanOrEqual(0);
    expect(STATE_WEIGHTS.healthy).toBe(1);
    expect(STATE_WEIGHTS.degraded).toBeGreaterThanOrEqual(STATE_WEIGHTS.at_risk);
    expect(STATE_WEIGHTS.at_risk).toBeGreaterThanOrEqual(STATE_WEIGHTS.failing);
  });
});
