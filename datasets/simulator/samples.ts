/**
 * Small CSV samples with column names the product has never seen, so training can prove it handles unseen
 * schemas (`npm run simulate -- samples`):
 *
 * - univariate_anomalies.csv  `step,sensor_a,anomaly` — a seasonal signal with labelled spikes, a level shift, a
 *   variance burst, a slow drift and a dropout (anomaly = 1 on those rows).
 * - multivariate_anomalies.csv `time,sensor_a..sensor_e,label` — one-minute ISO timestamps; five sensors driven by
 *   a shared load; labelled episodes break their relations (decoupling, a stuck sensor, a thermal excursion).
 * - run_to_failure.csv `unit,cycle,setting_a,sensor_a..sensor_d` — C-MAPSS-like units degrading at their own pace;
 *   each unit's last record is its failure.
 */
import { Rng } from './prng.js';

const fmt = (v: number, digits = 3) => String(Number(v.toFixed(digits)));

export function univariateSample(seed = 7, rows = 2000): string {
  const rng = new Rng(seed, 'sample-univariate');
  const value = new Float64Array(rows);
  const label = new Uint8Array(rows);
  let ar = 0;
  for (let t = 0; t < rows; t++) {
    ar = 0.7 * ar + 0.8 * rng.normal();
    value[t] = 50 + 8 * Math.sin((2 * Math.PI * t) / 144) + 2 * Math.sin((2 * Math.PI * t) / 37) + ar;
  }
  const mark = (from: number, to: number, f: (t: number, i: number) => void) => {
    for (let t = from; t < to; t++) {
      f(t, t - from);
      label[t] = 1;
    }
  };
  for (const at of [180, 655, 1490]) mark(at, at + 2, (t) => (value[t] += 14 + 4 * rng.next()));
  mark(400, 440, (t) => (value[t] += 10));
  mark(820, 870, (t) => (value[t] += 4 * rng.normal()));
  mark(1100, 1160, (t, i) => (value[t] += (12 * i) / 60));
  mark(1750, 1770, (t) => (value[t] = 0));
  let out = 'step,sensor_a,anomaly\n';
  for (let t = 0; t < rows; t++) out += `${t},${fmt(value[t])},${label[t]}\n`;
  return out;
}

export function multivariateSample(seed = 7, rows = 1400, start = Date.UTC(2025, 0, 6)): string {
  const rng = new Rng(seed, 'sample-multivariate');
  let out = 'time,sensor_a,sensor_b,sensor_c,sensor_d,sensor_e,label\n';
  let load = 0.5;
  let heat = 30;
  let stuck = 0;
  for (let t = 0; t < rows; t++) {
    load = Math.min(
      1,
      Math.max(0, load + 0.03 * rng.normal() + 0.01 * (0.55 + 0.3 * Math.sin((2 * Math.PI * t) / 480) - load)),
    );
    heat += (25 + 30 * load - heat) * 0.1;
    let a = 100 * load + rng.normal();
    let b = 80 * load + 5 + 1.2 * rng.normal();
    let c = heat + 0.3 * rng.normal();
    let d = 10 + 3 * Math.sin((2 * Math.PI * t) / 60) + 0.4 * rng.normal();
    const e = 200 + 150 * load + 3 * rng.normal();
    let label = 0;
    if (t >= 300 && t < 360) {
      b = 40 + 1.2 * rng.normal(); // b decouples from the shared load
      label = 1;
    }
    if (t >= 700 && t < 750) {
      if (t === 700) stuck = d;
      d = stuck; // stuck sensor
      label = 1;
    }
    if (t >= 1050 && t < 1110) {
      c += 0.25 * (t - 1050); // thermal excursion at unchanged load
      label = 1;
    }
    if (t === 1250 || t === 1251) {
      a += 35;
      label = 1;
    }
    out += `${new Date(start + t * 60_000).toISOString()},${fmt(a, 2)},${fmt(b, 2)},${fmt(c, 2)},${fmt(d, 2)},${fmt(e, 1)},${label}\n`;
  }
  return out;
}

export function runToFailureSample(seed = 7, units = 20): string {
  const rng = new Rng(seed, 'sample-run-to-failure');
  let out = 'unit,cycle,setting_a,sensor_a,sensor_b,sensor_c,sensor_d\n';
  for (let u = 1; u <= units; u++) {
    const life = rng.int(60, 160);
    const shape = rng.uniform(1.5, 2.5);
    const bias = rng.normal();
    for (let cycle = 1; cycle <= life; cycle++) {
      const wear = (cycle / life) ** shape; // 0 when new, 1 at failure
      const setting = rng.pick([0.2, 0.5, 0.8]);
      const a = 640 + 20 * setting + 12 * wear + bias + 0.5 * rng.normal();
      const b = 1580 + 40 * setting + 35 * wear + 2 * rng.normal();
      const c = 47 - 3 * wear + 0.15 * rng.normal();
      const d = 8.4 + 0.6 * wear ** 2 + 0.05 * setting + 0.03 * rng.normal();
      out += `${u},${cycle},${setting},${fmt(a, 2)},${fmt(b, 2)},${fmt(c, 3)},${fmt(d, 4)}\n`;
    }
  }
  return out;
}

export const SAMPLE_FILES = Object.freeze({
  'univariate_anomalies.csv': univariateSample,
  'multivariate_anomalies.csv': multivariateSample,
  'run_to_failure.csv': runToFailureSample,
});
