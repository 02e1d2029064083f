import { describe, expect, it } from 'vitest';
import { multivariateSample, runToFailureSample, univariateSample } from './samples.js';

const parse = (csv: string) => {
  const [head, ...lines] = csv.trimEnd().split('\n');
  return { columns: head.split(','), rows: lines.map((l) => l.split(',')) };
};

describe('sample CSVs', () => {
  it('are small, deterministic and well-formed', () => {
    for (const make of [univariateSample, multivariateSample, runToFailureSample]) {
      const csv = make();
      expect(csv).toBe(make());
      expect(Buffer.byteLength(csv)).toBeLessThan(200_000);
      const { columns, rows } = parse(csv);
      for (const r of rows) expect(r).toHaveLength(columns.length);
      for (const r of rows) for (const cell of r.slice(1)) expect(Number.isFinite(Number(cell))).toBe(true);
    }
  });

  it('label a minority of rows as anomalies, and the anomalies differ from normal rows', () => {
    const { rows } = parse(univariateSample());
    const anomalies = rows.filter((r) => r[2] === '1');
    expect(anomalies.length).toBeGreaterThan(50);
    expect(anomalies.length).toBeLessThan(rows.length * 0.15);
    const multi = parse(multivariateSample());
    expect(multi.columns[0]).toBe('time');
    expect(Number.isNaN(Date.parse(multi.rows[0][0]))).toBe(false);
    expect(multi.rows.filter((r) => r[6] === '1').length).toBeGreaterThan(100);
  });

  it('run_to_failure: cycles count up per unit and sensors drift towards the last (failure) record', () => {
    const { rows } = parse(runToFailureSample());
    const units = new Map<string, number[][]>();
    for (const r of rows) units.set(r[0], [...(units.get(r[0]) ?? []), r.map(Number)]);
    expect(units.size).toBe(20);
    for (const recs of units.values()) {
      expect(recs.map((rec) => rec[1])).toEqual(recs.map((_, i) => i + 1));
      const first = recs.slice(0, 10).reduce((s, r) => s + r[4], 0) / 10;
      const last = recs.slice(-5).reduce((s, r) => s + r[4], 0) / 5;
      expect(last - first).toBeGreaterThan(15); // sensor_b wears upward
    }
  });
});
