import { describe, expect, it } from 'vitest';
import { type GpuEvidence, gpuHealth, type RecommendationEvidence } from './gpu-state.js';
import { DEFAULT_HEALTH_POLICY as P } from './health-policy.js';

const NOW = Date.parse('2030-01-01T12:00:00Z');
const MIN = 60_000;

const gpu = (over: Partial<GpuEvidence> = {}): GpuEvidence => ({
  identity: { device: 'n1/0', cluster: 'c', rack: 'r', node: 'n1', gpu: '0', gpuModel: 'H100' },
  lastSampleTs: NOW - 10_000,
  xids: [],
  recommendations: [],
  ...over,
});
const anomaly = (multiple: number, ts = NOW - MIN) => ({
  ts,
  score: multiple * 2,
  threshold: 2,
  model: 'anomaly',
  version: 'v1',
  topFeatures: [
    { name: 'gpu_temp_c', contribution: 0.7 },
    { name: 'power_w', contribution: 0.2 },
  ],
});
/** A prediction from a model whose own alarm threshold is 0.7. */
const CUT = 0.7;
const fault = (probability: number, ttfMs?: number, ts = NOW - MIN) => ({
  ts,
  probability,
  threshold: CUT,
  horizonMs: 30 * MIN,
  ttfMs,
  model: 'fault',
  version: 'v1',
});
const ecc = (dbeVolatile: number, remappedRowsPending: number, sbeDelta: number) => ({
  ts: NOW - 10_000,
  dbeVolatile,
  remappedRowsPending,
  sbeDelta,
  windowMs: 3_600_000,
});
const rec = (over: Partial<RecommendationEvidence> = {}): RecommendationEvidence => ({
  id: 'a1',
  type: 'drain_node',
  status: 'proposed',
  severity: 'critical',
  reason: 'XID 79',
  targetKind: 'node',
  targetId: 'n1',
  targetNode: 'n1',
  devices: ['n1/0'],
  dryRun: false,
  updatedAt: NOW - MIN,
  ...over,
});
const state = (ev: GpuEvidence) => gpuHealth(ev, NOW).state;

describe('gpuHealth: reporting', () => {
  it('is healthy with a fresh sample and no findings, and lists no reason above healthy', () => {
    const h = gpuHealth(gpu({ anomaly: anomaly(0.5), fault: fault(0.1), ecc: ecc(0, 0, 0) }), NOW);
    expect(h.state).toBe('healthy');
    expect(h.reasons.map((r) => r.state)).toEqual(['healthy', 'healthy', 'healthy']);
  });
  it('is unknown, never healthy, without a sample or past the staleness bound', () => {
    expect(state(gpu({ lastSampleTs: undefined }))).toBe('unknown');
    expect(state(gpu({ lastSampleTs: NOW - P.staleAfterMs - 1 }))).toBe('unknown');
    expect(state(gpu({ lastSampleTs: NOW - P.staleAfterMs }))).toBe('healthy');
  });
  it('stays unknown when old evidence says failing: the GPU is silent, we do not know its state now', () => {
    const h = gpuHealth(gpu({ lastSampleTs: NOW - 10 * MIN, ecc: ecc(3, 0, 0) }), NOW);
    expect(h.state).toBe('unknown');
    expect(h.reasons[0]).toMatchObject({ kind: 'no_data', state: 'unknown', ts: NOW - 10 * MIN });
    expect(h.reasons.some((r) => r.kind === 'ecc' && r.state === 'failing')).toBe(true);
  });
});

describe('gpuHealth: anomaly score vs threshold', () => {
  it.each([
    [0.99, 'healthy'],
    [1, 'degraded'],
    [P.anomalyAtRiskMultiple - 0.01, 'degraded'],
    [P.anomalyAtRiskMultiple, 'at_risk'],
  ])('%s× the threshold → %s', (m, s) => {
    expect(state(gpu({ anomaly: anomaly(m) }))).toBe(s);
  });
  it('carries score, threshold and top features as evidence', () => {
    const r = gpuHealth(gpu({ anomaly: anomaly(2) }), NOW).reasons[0];
    expect(r).toMatchObject({ kind: 'anomaly', ts: NOW - MIN, runbook: 'docs/runbooks/gpu-health.md#anomaly' });
    expect(r.evidence).toMatchObject({ score: 4, threshold: 2, multiple: 2 });
    expect(r.summary).toContain('gpu_temp_c');
  });
  it('does not count a score older than the bound, nor one without a usable threshold', () => {
    expect(state(gpu({ anomaly: anomaly(5, NOW - P.maxScoreAgeMs - 1) }))).toBe('healthy');
    expect(state(gpu({ anomaly: { ...anomaly(5), threshold: 0 } }))).toBe('healthy');
  });
});

describe('gpuHealth: fault prediction', () => {
  it.each([
    [CUT, undefined, 'healthy'], // at the threshold is no alarm: strictly above, as the policy
    [CUT + 0.01, undefined, 'at_risk'],
    [P.failingProbability, undefined, 'failing'],
    [CUT + 0.01, P.failingWithinMs, 'failing'],
    [CUT + 0.01, P.failingWithinMs + 1, 'at_risk'],
    [0.1, 5 * MIN, 'healthy'],
  ])('p=%s ttf=%s → %s', (p, ttf, s) => {
    expect(state(gpu({ fault: fault(p, ttf) }))).toBe(s);
  });
  it("acts on the model's threshold, not on a raw score: 0.96 below a threshold of 0.993 is healthy", () => {
    expect(state(gpu({ fault: { ...fault(0.96), threshold: 0.993 } }))).toBe('healthy');
    expect(state(gpu({ fault: { ...fault(0.995), threshold: 0.993 } }))).toBe('failing');
    const { threshold: _, ...noThreshold } = fault(0.99);
    expect(state(gpu({ fault: noThreshold }))).toBe('healthy');
  });
  it('gives the predicted failure time; ignores a stale prediction', () => {
    const r = gpuHealth(gpu({ fault: fault(0.8, 40 * MIN) }), NOW).reasons[0];
    expect(r.evidence).toMatchObject({ ttfMs: 40 * MIN, predictedFailureAt: NOW - MIN + 40 * MIN });
    expect(state(gpu({ fault: fault(0.99, undefined, NOW - P.maxScoreAgeMs - 1) }))).toBe('healthy');
  });
});

describe('gpuHealth: XIDs', () => {
  it.each([
    [79, 'failing'],
    [48, 'failing'],
    [13, 'degraded'],
    [45, 'healthy'],
    [999, 'degraded'],
  ])('XID %s → %s', (code, s) => {
    expect(state(gpu({ xids: [{ code, ts: NOW - MIN }] }))).toBe(s);
  });
  it('groups by code with count and newest time, and forgets XIDs past the lookback', () => {
    const h = gpuHealth(
      gpu({
        xids: [
          { code: 13, ts: NOW - 3 * MIN },
          { code: 13, ts: NOW - MIN },
          { code: 79, ts: NOW - P.xidLookbackMs - 1 },
        ],
      }),
      NOW,
    );
    expect(h.state).toBe('degraded');
    expect(h.reasons).toHaveLength(1);
    expect(h.reasons[0]).toMatchObject({ kind: 'xid', ts: NOW - MIN, evidence: { code: 13, count: 2 } });
  });
});

describe('gpuHealth: ECC', () => {
  it.each([
    [ecc(1, 0, 0), 'failing'],
    [ecc(0, 1, 0), 'degraded'],
    [ecc(0, 0, P.sbeRatePerHour), 'degraded'],
    [ecc(0, 0, P.sbeRatePerHour - 1), 'healthy'],
    [{ ...ecc(0, 0, P.sbeRatePerHour / 2), windowMs: 1_800_000 }, 'degraded'],
  ])('%o → %s', (e, s) => {
    expect(state(gpu({ ecc: e }))).toBe(s);
  });
});

describe('gpuHealth: recommendations and drains', () => {
  it('is drained when its node drain was executed for real, whatever else it shows', () => {
    const h = gpuHealth(
      gpu({ lastSampleTs: undefined, recommendations: [rec({ status: 'executed', devices: ['n1/3'] })] }),
      NOW,
    );
    expect(h.state).toBe('drained');
    expect(h.reasons[0]).toMatchObject({ kind: 'drain', runbook: 'docs/runbooks/drain_node.md' });
  });
  it('is not drained by a dry-run drain, nor by a drain of another node', () => {
    expect(state(gpu({ recommendations: [rec({ status: 'executed', dryRun: true })] }))).toBe('healthy');
    expect(state(gpu({ recommendations: [rec({ status: 'executed', targetId: 'n2', targetNode: 'n2' })] }))).toBe(
      'healthy',
    );
  });
  it('an open recommendation about this GPU raises its state by severity', () => {
    expect(state(gpu({ recommendations: [rec({ severity: 'critical' })] }))).toBe('at_risk');
    expect(state(gpu({ recommendations: [rec({ severity: 'warning', status: 'approved' })] }))).toBe('degraded');
    expect(state(gpu({ recommendations: [rec({ severity: 'info', status: 'queued' })] }))).toBe('healthy');
    expect(state(gpu({ recommendations: [rec({ status: 'rejected' })] }))).toBe('healthy');
  });
  it("lists a sibling GPU's node action as context without raising this GPU's state", () => {
    const h = gpuHealth(gpu({ recommendations: [rec({ devices: ['n1/5'] })] }), NOW);
    expect(h.state).toBe('healthy');
    expect(h.reasons).toEqual([expect.objectContaining({ kind: 'recommendation', state: 'healthy' })]);
  });
  it('a GPU-targeted recommendation counts even when its evidence names no device', () => {
    const r = rec({ type: 'reset_gpu', targetKind: 'gpu', targetId: 'n1/0', devices: [], severity: 'warning' });
    expect(gpuHealth(gpu({ recommendations: [r] }), NOW).reasons[0].runbook).toBe('docs/runbooks/reset_gpu.md');
    expect(state(gpu({ recommendations: [r] }))).toBe('degraded');
  });
});

describe('gpuHealth: repeat offenders', () => {
  const quarantine = (status: string) =>
    rec({
      id: 'rma1',
      type: 'open_ticket',
      status,
      targetKind: 'gpu',
      targetId: 'n1/0',
      evidenceKind: 'repeat-offender',
      incidents: 3,
    });
  it('an open or executed quarantine says the GPU keeps failing', () => {
    for (const status of ['proposed', 'executed']) {
      const h = gpuHealth(gpu({ recommendations: [quarantine(status)] }), NOW);
      expect(h.state).toBe('at_risk');
      const reason = h.reasons.find((r) => r.kind === 'repeat_offender');
      expect(reason?.summary).toMatch(/repeat offender: 3 incidents/);
      expect(reason?.runbook).toBe('docs/runbooks/gpu-health.md#repeat-offender');
    }
  });
  it('a rejected quarantine, or another GPU of the node, gives no such reason', () => {
    const rejected = gpuHealth(gpu({ recommendations: [quarantine('rejected')] }), NOW);
    expect(rejected.reasons.map((r) => r.kind)).not.toContain('repeat_offender');
    const sibling = gpuHealth(
      gpu({ recommendations: [{ ...quarantine('proposed'), targetId: 'n1/5', devices: ['n1/5'] }] }),
      NOW,
    );
    expect(sibling.reasons.map((r) => r.kind)).not.toContain('repeat_offender');
  });
});

describe('gpuHealth: combining', () => {
  it('takes the worst evidence state and orders reasons worst first', () => {
    const h = gpuHealth(gpu({ anomaly: anomaly(1.2), fault: fault(0.95), xids: [{ code: 13, ts: NOW - MIN }] }), NOW);
    expect(h.state).toBe('failing');
    expect(h.reasons.map((r) => r.state)).toEqual(['failing', 'degraded', 'degraded']);
  });
});
