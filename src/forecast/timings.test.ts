import { describe, expect, it } from 'vitest';
import { FORECAST_STAGES, StageClock } from './timings.js';

/** A hand-driven clock and a promise per operation, so the intervals are exact. */
function manual() {
  let t = 0;
  const clock = new StageClock(() => t);
  const gate = () => {
    let open!: () => void;
    const p = new Promise<void>((r) => {
      open = r;
    });
    return { p, open };
  };
  return { clock, at: (ms: number) => (t = ms), gate };
}

describe('StageClock', () => {
  it('counts overlapping operations of one stage once, and each stage apart', async () => {
    const { clock, at, gate } = manual();
    const a = gate();
    const b = gate();
    at(0);
    const first = clock.time('read', () => a.p); // read [0, 60)
    at(20);
    const second = clock.time('read', () => b.p); // read [20, 40): inside the first
    at(40);
    b.open();
    await second;
    at(60);
    a.open();
    await first;
    clock.timeSync('features', () => at(85)); // features [60, 85)
    at(100);
    const c = gate();
    const third = clock.time('read', () => c.p); // read [100, 110)
    at(110);
    c.open();
    await third;
    const t = clock.timings();
    expect(t.read).toBe(70);
    expect(t.features).toBe(25);
    expect(t.models).toBe(0);
    expect(Object.keys(t)).toEqual([...FORECAST_STAGES]);
  });

  it('still counts a stage whose work throws, and rethrows', async () => {
    const { clock, at } = manual();
    at(5);
    await expect(
      clock.time('writes', async () => {
        at(17);
        throw new Error('flush failed');
      }),
    ).rejects.toThrow('flush failed');
    expect(() =>
      clock.timeSync('policy', () => {
        at(20);
        return JSON.parse('{');
      }),
    ).toThrow(SyntaxError);
    expect(clock.timings()).toMatchObject({ writes: 12, policy: 3 });
  });

  it('times straight-line code between begin and its end, once however often the end is called', () => {
    const { clock, at } = manual();
    at(10);
    const end = clock.begin('outputs');
    at(14.2504);
    end();
    at(30);
    end();
    expect(clock.timings().outputs).toBe(4.25);
  });
});
