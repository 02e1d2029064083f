import { describe, expect, it } from 'vitest';
import { fieldLabelRow, validateLabels } from './field-labels.js';

const good = {
  device: 'c0-r0-n3/5',
  fault_type: 'ecc_storm',
  start: '2026-11-20T10:00:00Z',
  failure: '2026-11-20T12:30:00Z',
  source: 'rma',
  note: 'RMA 4411: HBM replaced',
};

describe('validateLabels', () => {
  it('accepts a label, fills node and gpu from a GPU device id, keeps a degradation without failure', () => {
    const { labels, errors } = validateLabels([
      good,
      { device: 'r7', fault_type: 'facility_cooling_failure', start: Date.UTC(2026, 10, 21), source: 'ticket' },
    ]);
    expect(errors).toEqual([]);
    expect(labels[0]).toMatchObject({
      device: 'c0-r0-n3/5',
      node: 'c0-r0-n3',
      gpu: '5',
      faultType: 'ecc_storm',
      start: Date.UTC(2026, 10, 20, 10),
      failure: Date.UTC(2026, 10, 20, 12, 30),
      source: 'rma',
      xid: 0,
    });
    expect(labels[1].failure).toBeUndefined();
    expect(labels[1].node).toBeUndefined();
    expect(fieldLabelRow(labels[1]).timestamps).toBeUndefined();
    expect(fieldLabelRow(labels[0])).toMatchObject({
      ts: Date.UTC(2026, 10, 20, 10),
      symbols: { device: 'c0-r0-n3/5', fault_type: 'ecc_storm', source: 'rma', node: 'c0-r0-n3', gpu: '5' },
      timestamps: { failure_ts: Date.UTC(2026, 10, 20, 12, 30) },
      strings: { note: 'RMA 4411: HBM replaced' },
    });
  });

  it('names every problem by row and field, and returns no labels when any row is bad', () => {
    const { labels, errors } = validateLabels([
      good,
      { ...good, source: 'rumour', fault_type: 'gremlins' },
      { ...good, failure: '2026-11-20T09:00:00Z', node: 'other', colour: 'red' },
      { device: 'x', source: 'operator', start: 1_700_000_000, fault_type: 'other', note: 'a\nb' },
      'not a row',
    ]);
    expect(labels).toEqual([]);
    const fields = errors.map((e) => `${e.row}:${e.field}`);
    expect(fields).toEqual(
      expect.arrayContaining([
        '1:source',
        '1:fault_type',
        '2:failure',
        '2:node',
        '2:colour',
        '3:start',
        '3:note',
        '4:',
      ]),
    );
    expect(errors.find((e) => e.row === 2 && e.field === 'failure')?.reason).toMatch(/before start/);
    expect(errors.find((e) => e.row === 3 && e.field === 'start')?.reason).toMatch(/seconds or microseconds/);
    expect(errors.some((e) => e.row === 0)).toBe(false);
  });

  it('requires device, fault_type, start and source', () => {
    const { errors } = validateLabels([{}]);
    expect(errors.map((e) => e.field).sort()).toEqual(['device', 'fault_type', 'source', 'start']);
  });
});
