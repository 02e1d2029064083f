import { describe, expect, it } from 'vitest';
import { chart, downsampleMinMax, escapeXml, niceTicks, timeTicks } from './svg.js';

describe('svg helpers', () => {
  it('keeps spikes when thinning long series', () => {
    const n = 100_000;
    const x = Array.from({ length: n }, (_, i) => i);
    const y = x.map((i) => (i === 54_321 ? 100 : i === 77_777 ? -50 : Math.sin(i / 100)));
    const d = downsampleMinMax(x, y, 500);
    expect(d.x.length).toBeLessThanOrEqual(500);
    expect(d.y).toContain(100);
    expect(d.y).toContain(-50);
    // x stays in order
    expect(d.x.every((v, i) => i === 0 || v >= d.x[i - 1])).toBe(true);
  });

  it('puts ticks on round values and round times', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(3, 97)).toEqual([20, 40, 60, 80]);
    const h = 3_600_000;
    expect(timeTicks(0.5 * h, 4.5 * h)).toEqual([h, 2 * h, 3 * h, 4 * h]);
  });

  it('writes a well-formed, small chart with escaped text, threshold, spans and diagonal', () => {
    const x = Array.from({ length: 50_000 }, (_, i) => i);
    const svg = chart([{ name: 'a < b & c', x, y: x.map((v) => v * 2) }], {
      title: 'T "quoted"',
      xLabel: 'x',
      yLabel: 'y',
      hlines: [{ y: 10, label: 'threshold' }],
      spans: [{ start: 100, end: 200 }],
      diagonal: true,
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain(escapeXml('a < b & c'));
    expect(svg).toContain('T &quot;quoted&quot;');
    expect(svg).toContain('stroke-dasharray="6 3"');
    expect(svg).toContain('fill-opacity="0.15"');
    expect(svg.length).toBeLessThan(30_000);
    expect(svg).not.toMatch(/NaN|Infinity/);
  });
});
