import { describe, expect, it } from 'vitest';
import { entryCommand, numbersOf } from './training-entry.js';

describe('training entry points', () => {
  it('compiled: node runs dist/scripts/<entry>.js alone (no tsx, a development dependency)', () => {
    expect(entryCommand('train', 'file:///app/dist/src/queue/training-entry.js')).toEqual([
      '/app/dist/scripts/train.js',
    ]);
    expect(entryCommand('compare-shadow', 'file:///app/dist/src/queue/training-entry.js')).toEqual([
      '/app/dist/scripts/compare-shadow.js',
    ]);
  });
  it('from a checkout: the TypeScript source through tsx', () => {
    expect(entryCommand('evaluate', 'file:///repo/src/queue/training-entry.ts')).toEqual([
      '--import',
      'tsx',
      '/repo/scripts/evaluate.ts',
    ]);
  });
  it("reads a JSON line's nulls back as NaN and drops what is not a number", () => {
    expect(numbersOf({ f1: 0.5, eventF1: null, note: 'x' })).toEqual({ f1: 0.5, eventF1: Number.NaN });
  });
});
