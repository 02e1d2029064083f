import { describe, expect, it } from 'vitest';
import { type GroundTruthLabel, type ScoredRecommendation, scorecard, scorecardSummary } from './scorecard.js';

const MIN = 60_000;
const DAY = 1_440 * MIN;
const from = Date.UTC(2030, 0, 1);
const label = (over: Partial<GroundTruthLabel> = {}): GroundTruthLabel => ({
  device: 'n1/0',
  node: 'n1',
  rack: 'r1',
  faultType: 'ecc_storm',
  onsetTs: from + 60 * MIN,
  failureTs: from + 120 * MIN,
  endsInFailure: true,
  ...over,
});
const rec = (over: Partial<ScoredRecommendation> = {}): ScoredRecommendation => ({
  id: 'a',
  type: 'drain_node',
  ts: from + 100 * MIN,
  target: 'n1',
  ...over,
});
const card = (recommendations: ScoredRecommendation[], labels: GroundTruthLabel[] = [label()]) =>
  scorecard({ from, to: from + DAY, devices: 10, horizonMs: 30 * MIN, recommendations, labels });

describe('scorecard', () => {
  it('catches a failure with a recommendation on its node before it, with the lead of the first one', () => {
    const s = card([rec({ ts: from + 90 * MIN }), rec({ id: 'b', type: 'open_ticket', ts: from + 110 * MIN })]);
    expect(s).toMatchObject({ failures: 1, caught: 1, caughtShare: 1, medianLeadMin: 30, falseRecommendations: 0 });
    expect(s.perFault[0]).toMatchObject({ caught: true, leadMin: 30, actions: 2 });
    expect(s.actionsPerIncident).toBe(2);
  });

  it('does not catch a failure with a recommendation after it, nor one on another node', () => {
    const s = card([rec({ ts: from + 125 * MIN }), rec({ id: 'c', target: 'n2', ts: from + 100 * MIN })]);
    expect(s.caught).toBe(0);
    // After the failure within the horizon: justified (it reacts to it); another node with no label: false.
    expect(s.falseRecommendations).toBe(1);
    expect(s.falseByType).toEqual({ drain_node: 1 });
    expect(s.falsePerDeviceDay).toBeCloseTo(1 / 10);
  });

  it('matches a GPU target and evidence devices, a rack label by its rack, and leaves peaks out of failures', () => {
    const rack = label({ device: 'r1', node: '', faultType: 'facility_cooling_failure', endsInFailure: false });
    const s = card(
      [rec({ target: 'n1/0', ts: from + 70 * MIN }), rec({ id: 'd', target: 'r1', type: 'facility_alert' })],
      [label(), rack],
    );
    expect(s.failures).toBe(1);
    expect(s.caught).toBe(1);
    expect(s.falseRecommendations).toBe(0);
    const viaEvidence = card([rec({ target: 'c0', devices: ['n1/0'] })]);
    expect(viaEvidence.caught).toBe(1);
  });

  it('counts power-cap advice apart, never as false', () => {
    const s = card([rec({ type: 'power_cap_gpu', target: 'job-9' })]);
    expect([s.recommendations, s.optimisations, s.falseRecommendations]).toEqual([0, 1, 0]);
  });

  it('matches a GPU recommendation to a fault labelled on its rack', () => {
    const rack = label({
      device: 'r7',
      node: '',
      rack: 'r7',
      faultType: 'facility_cooling_failure',
      endsInFailure: false,
    });
    const s = card([rec({ type: 'open_ticket', target: 'n7/1', rack: 'r7' })], [rack]);
    expect(s.falseRecommendations).toBe(0);
  });

  it("lets an operator's outcome override the labels", () => {
    const s = card([rec({ outcome: 'false_alarm' }), rec({ id: 'e', target: 'n9', outcome: 'confirmed' })]);
    expect(s.falseRecommendations).toBe(1);
  });

  it('prints the three lines scripts read first', () => {
    const lines = scorecardSummary(card([rec()]));
    expect(lines.slice(0, 3)).toEqual([
      'faults caught before failure: 1 of 1 (100.0 %)',
      'median lead: 20.0 min',
      'false recommendations per device-day: 0.0000',
    ]);
    expect(scorecardSummary(card([], []))[0]).toBe('faults caught before failure: 0 of 0 (n/a)');
  });
});
