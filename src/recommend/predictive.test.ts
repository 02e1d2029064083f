import { describe, expect, it } from 'vitest';
import { definePolicy } from './config.js';
import { HOUR, MIN, MODEL_THRESHOLD, NOW, notes, ofType, one, prediction, run } from './testing/fleet.js';

// c1r1n1 hosts job train-a on all four GPUs.
const DEV = 'c1r1n1/g0';

describe('predicted failures', () => {
  it('schedules migration, a drain before the predicted failure, and maintenance', () => {
    const r = run({
      faultPredictions: [
        prediction(DEV, 0.8, {
          ttfMs: 4 * HOUR + MIN,
          faultType: 'ecc_storm',
          ttfModel: { name: 'ttf-gru', version: '1' },
        }),
      ],
    });
    const failureAt = NOW + 4 * HOUR; // prediction made a minute ago
    const migrate = one(r, 'migrate_job');
    const drain = one(r, 'drain_node');
    const ticket = one(r, 'open_ticket');
    expect(drain.target.id).toBe('c1r1n1');
    expect(drain.notBefore).toBe(failureAt - 30 * MIN);
    expect(migrate.notBefore).toBe(failureAt - 60 * MIN);
    expect(migrate.target).toMatchObject({ kind: 'job', id: 'train-a' });
    expect(drain.dependsOn).toEqual([migrate.id]);
    expect(ticket.params).toMatchObject({ ticketKind: 'maintenance', predictedFailureAt: failureAt });
    expect(drain.evidence.prediction?.predictedFailureAt).toBe(failureAt);
    expect(drain.severity).toBe('warning');
    expect(drain.confidence).toBe(0.8);
    // the reason says which models, the probability against the level, and when
    expect(drain.reason).toContain('fault-gru@2');
    expect(drain.reason).toContain('ttf-gru@1');
    expect(drain.reason).toContain('0.8');
    expect(drain.reason).toContain(`acts above 0.7: ${MODEL_THRESHOLD.source}`);
    expect(drain.evidence.prediction?.threshold).toEqual(MODEL_THRESHOLD);
    expect(drain.reason).toContain(new Date(failureAt - 30 * MIN).toISOString());
    expect(drain.reason).toContain('ecc_storm');
  });

  it('is critical when the probability is very high or the failure is close', () => {
    expect(one(run({ faultPredictions: [prediction(DEV, 0.95, { ttfMs: 10 * HOUR })] }), 'drain_node').severity).toBe(
      'critical',
    );
    const soon = one(run({ faultPredictions: [prediction(DEV, 0.75, { ttfMs: HOUR })] }), 'drain_node');
    expect(soon.severity).toBe('critical');
    expect(soon.notBefore).toBe(NOW - MIN + HOUR - 30 * MIN);
  });

  it('never schedules in the past, and drains now when there is no time-to-failure estimate', () => {
    expect(one(run({ faultPredictions: [prediction(DEV, 0.8, { ttfMs: 10 * MIN })] }), 'drain_node').notBefore).toBe(
      NOW,
    );
    const noTtf = one(run({ faultPredictions: [prediction(DEV, 0.8)] }), 'drain_node');
    expect(noTtf.notBefore).toBe(NOW);
    expect(noTtf.reason).toContain('no time-to-failure estimate');
  });

  it("acts only strictly above the model's own threshold", () => {
    expect(run({ faultPredictions: [prediction(DEV, 0.69)] }).actions).toEqual([]);
    expect(run({ faultPredictions: [prediction(DEV, 0.7)] }).actions).toEqual([]);
    const strict = { value: 0.993, source: 'model fault@x (model.json threshold, fixed)' };
    // The quick start's case: 0.97 is far above the old fixed 0.7, but below the model's own 0.993.
    expect(run({ faultPredictions: [prediction(DEV, 0.97, { threshold: strict })] }).actions).toEqual([]);
    const drain = one(run({ faultPredictions: [prediction(DEV, 0.995, { threshold: strict })] }), 'drain_node');
    expect(drain.evidence.prediction?.threshold).toEqual(strict);
  });

  it("an operator's fault.actProbability overrides the model threshold, and the recommendation says so", () => {
    const lower = definePolicy({ fault: { actProbability: 0.5 } });
    const drain = one(run({ faultPredictions: [prediction(DEV, 0.6)] }, lower), 'drain_node');
    expect(drain.evidence.prediction?.threshold).toEqual({
      value: 0.5,
      source: 'operator override (policy fault.actProbability)',
    });
    expect(drain.reason).toContain('acts above 0.5: operator override');
    const higher = definePolicy({ fault: { actProbability: 0.85 } });
    expect(run({ faultPredictions: [prediction(DEV, 0.8)] }, higher).actions).toEqual([]);
  });

  it('a model without a threshold and no override: nothing acts, one note names the model', () => {
    const r = run({
      faultPredictions: [
        prediction(DEV, 0.99, { threshold: undefined }),
        prediction('c1r2n1/g0', 0.99, { threshold: undefined }),
      ],
    });
    expect(r.actions).toEqual([]);
    expect(notes(r).filter((n) => n.includes('fault-gru@2') && n.includes('no threshold'))).toHaveLength(1);
    const lower = definePolicy({ fault: { actProbability: 0.9 } });
    expect(
      ofType(run({ faultPredictions: [prediction(DEV, 0.99, { threshold: undefined })] }, lower), 'drain_node'),
    ).toHaveLength(1);
  });

  it('uses the latest prediction per device: a falling probability cancels the plan', () => {
    const r = run({
      faultPredictions: [prediction(DEV, 0.9, { ts: NOW - 5 * MIN }), prediction(DEV, 0.3, { ts: NOW - MIN })],
    });
    expect(r.actions).toEqual([]);
  });

  it('repeated predictions of the same fault give the same ids', () => {
    const a = run({ faultPredictions: [prediction(DEV, 0.8, { ttfMs: 5 * HOUR })] });
    const b = run({
      now: NOW + 5 * MIN,
      faultPredictions: [prediction(DEV, 0.86, { ts: NOW + 4 * MIN, ttfMs: 4 * HOUR })],
    });
    expect(b.actions.map((x) => x.id).sort()).toEqual(a.actions.map((x) => x.id).sort());
  });

  it('ignores stale predictions and unknown devices, with notes', () => {
    const r = run({ faultPredictions: [prediction(DEV, 0.9, { ts: NOW - HOUR }), prediction('ghost/g1', 0.9)] });
    expect(r.actions).toEqual([]);
    expect(notes(r).join('\n')).toMatch(/stale[\s\S]*ghost\/g1|ghost\/g1[\s\S]*stale/);
  });

  it('a node without jobs still gets the drain and the ticket', () => {
    const r = run({ faultPredictions: [prediction('c1r2n1/g0', 0.8, { ttfMs: 3 * HOUR })] });
    expect(r.actions.map((a) => a.type).sort()).toEqual(['drain_node', 'open_ticket']);
    expect(one(r, 'drain_node').dependsOn).toEqual([]);
  });
});
