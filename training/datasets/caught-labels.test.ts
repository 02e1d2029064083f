/**
 * A degradation caught before it failed (a field label without failure time; `caught` from the reader): an event
 * for the anomaly detector, symptomatic rows for training, but no failure for the fault and ttf targets.
 */
import { describe, expect, it } from 'vitest';
import type { Series } from '../../src/features/windows.js';
import type { FaultLabel } from '../../src/telemetry/catalogue.js';
import { fromFleet } from '../evaluate/sources.js';
import { entitiesFromFaultLabels, ROW_HEALTHY, ROW_SYMPTOM } from './entities.js';
import { faultWithinHorizon } from './labels.js';

const MIN = 60_000;
const series: Series = {
  ts: Float64Array.from({ length: 60 }, (_, i) => i * MIN),
  values: Float64Array.from({ length: 60 }, (_, i) => i),
  features: ['gpu_temp_c'],
};
const base = { cluster: 'c0', rack: 'c0-r0', node: 'c0-r0-n0', gpu: '0', faultType: 'ecc_storm', xid: 0 } as const;
const caught: FaultLabel = { ...base, device: 'c0-r0-n0/0', onsetTs: 10 * MIN, failureTs: 20 * MIN, caught: true };
const failed: FaultLabel = { ...caught, caught: undefined };

describe('caught degradations', () => {
  it('training: symptomatic over the span, never down, no failure (fault targets stay 0)', () => {
    const [e] = entitiesFromFaultLabels(new Map([['c0-r0-n0/0', series]]), [caught]);
    expect(e.labels[9]).toBe(ROW_HEALTHY);
    expect(Array.from(e.labels.subarray(10, 20))).toEqual(new Array(10).fill(ROW_SYMPTOM));
    expect(e.labels[20]).toBe(ROW_HEALTHY); // where a failed device would be down
    expect(e.failures).toEqual([]);
    expect(faultWithinHorizon(15 * MIN, e.failures, 30 * MIN)).toBe(0);
    // The same label with a failure is a failure.
    const [f] = entitiesFromFaultLabels(new Map([['c0-r0-n0/0', series]]), [failed]);
    expect(f.failures).toEqual([20 * MIN]);
  });

  it('evaluation: a labelled event, and the device is evaluated past it (no failure cuts it)', () => {
    const input = fromFleet('test', new Map([['c0-r0-n0/0', series]]), [caught], MIN);
    expect(input.labelledEvents).toBe(1);
    expect(input.entities[0].events).toEqual([expect.objectContaining({ start: 10 * MIN, end: 20 * MIN })]);
    expect(input.entities[0].failureTs).toBeUndefined();
    expect(input.entities[0].series.ts.length).toBe(60);
    expect(fromFleet('test', new Map([['c0-r0-n0/0', series]]), [failed], MIN).entities[0].series.ts.length).toBe(20);
  });
});
