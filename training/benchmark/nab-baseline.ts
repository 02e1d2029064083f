/**
 * A model-free reference for the NAB benchmark: the error of each point is its distance from the median of the
 * previous `window` values, turned into intervals by the same detector the CSV default records
 * (training/detection). What the autoencoder adds is the difference between its line and this one.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { findAnomalies } from '../../src/inference/detection/find-anomalies.js';
import { CSV_DETECTION } from '../detection/csv-detection.js';
import { addCounts, segmentCounts, segmentScore } from '../metrics/segments.js';
import { type NabSubsetResult, nabSignals, nabTime, readNabLabels } from './nab.js';

/** |x[i] − median(x[i−window..i−1])| for i ≥ window, with the timestamps of those points. */
export function medianErrors(ts: readonly number[], x: readonly number[], window: number) {
  const e: number[] = [];
  const t: number[] = [];
  for (let i = window; i < x.length; i++) {
    const w = x.slice(i - window, i).sort((a, b) => a - b);
    const m = window % 2 ? w[window >> 1] : (w[window / 2 - 1] + w[window / 2]) / 2;
    e.push(Math.abs(x[i] - m));
    t.push(ts[i]);
  }
  return { ts: t, errors: e };
}

export async function runNabBaseline(
  dataDir: string,
  subsets: readonly string[],
  window = 30,
): Promise<NabSubsetResult[]> {
  const labels = await readNabLabels(dataDir);
  const out: NabSubsetResult[] = [];
  for (const subset of subsets) {
    const signals = [];
    for (const file of await nabSignals(dataDir, subset)) {
      const text = await readFile(path.join(dataDir, 'nab', subset, file), 'utf8');
      const rows = text
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(','));
      const { ts, errors } = medianErrors(
        rows.map((r) => nabTime(r[0])),
        rows.map((r) => Number(r[1])),
        window,
      );
      const detected = findAnomalies(errors, CSV_DETECTION).map((iv) => ({ start: ts[iv.start], end: ts[iv.end] }));
      const truth = labels.get(`${subset}/${file}`) ?? [];
      signals.push({
        subset,
        signal: file.replace(/\.csv$/, ''),
        rows: rows.length,
        trainSeconds: 0,
        scoreSeconds: 0,
        epochs: 0,
        detected,
        labelled: truth,
        ...segmentCounts(detected, truth),
      });
    }
    out.push({ subset, signals, ...segmentScore(addCounts(signals)) });
  }
  return out;
}
