/**
 * NAB under Orion's protocol (../shared/datasets/README.md): one model per signal, trained and scored on the whole
 * signal with the CLI's defaults and no labels (`npm run train` then `npm run score`, through the same code), the
 * labelled windows used only to count TP/FP/FN with the overlapping-segment metric, summed per subset.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../src/errors.js';
import { runOptions } from '../cli/train.js';
import { scoreCsv } from '../evaluate/score-csv.js';
import type { Interval } from '../metrics/intervals.js';
import { addCounts, type SegmentCounts, type SegmentScore, segmentCounts, segmentScore } from '../metrics/segments.js';
import { runTraining } from '../trainer-run.js';

/** The four subsets of Orion's leaderboard, then realKnownCause (not on it). */
export const NAB_SUBSETS = [
  'artificialWithAnomaly',
  'realAdExchange',
  'realTraffic',
  'realTweets',
  'realKnownCause',
] as const;

/** Best published F1 per subset (Orion 0.7.1 leaderboard, best of 14 pipelines). */
export const NAB_PUBLISHED_BEST: Readonly<Record<string, number>> = {
  artificialWithAnomaly: 0.75,
  realAdExchange: 0.783,
  realTraffic: 0.649,
  realTweets: 0.667,
};

export interface NabSignalResult extends SegmentCounts {
  readonly subset: string;
  readonly signal: string;
  readonly rows: number;
  readonly trainSeconds: number;
  readonly scoreSeconds: number;
  readonly epochs: number;
  readonly detected: readonly Interval[];
  readonly labelled: readonly Interval[];
}

export interface NabSubsetResult extends SegmentScore {
  readonly subset: string;
  readonly signals: readonly NabSignalResult[];
  readonly published?: number;
}

export interface NabOptions {
  readonly dataDir: string;
  /** Where models and score files go (outside the repository's tracked files). */
  readonly workDir: string;
  readonly subsets: readonly string[];
  /** Only signals whose name contains one of these (default: all). */
  readonly signals?: readonly string[];
  /** Extra `npm run train` flags (default: none, i.e. the CLI's defaults). */
  readonly trainArgs?: readonly string[];
  readonly progress: (line: string) => void;
}

/** NAB label times are zone-less UTC (`2014-04-10 07:15:00.000000`). */
export function nabTime(s: string): number {
  const ms = Date.parse(
    `${s
      .trim()
      .replace(' ', 'T')
      .replace(/(\.\d{3})\d*$/, '$1')}Z`,
  );
  if (!Number.isFinite(ms)) throw new AppError('VALIDATION_FAILED', `NAB label time "${s}" is not a date`);
  return ms;
}

export async function readNabLabels(dataDir: string): Promise<Map<string, Interval[]>> {
  const file = path.join(dataDir, 'nab', 'labels', 'combined_windows.json');
  const raw = JSON.parse(await readFile(file, 'utf8')) as Record<string, [string, string][]>;
  return new Map(
    Object.entries(raw).map(([k, ws]) => [k, ws.map(([a, b]) => ({ start: nabTime(a), end: nabTime(b) }))]),
  );
}

export async function nabSignals(dataDir: string, subset: string): Promise<string[]> {
  const dir = path.join(dataDir, 'nab', subset);
  const files = await readdir(dir).catch(() => {
    throw new AppError('VALIDATION_FAILED', `no NAB subset ${subset} under ${path.join(dataDir, 'nab')}`);
  });
  return files.filter((f) => f.endsWith('.csv')).sort();
}

async function runSignal(o: NabOptions, subset: string, file: string, labels: Interval[]): Promise<NabSignalResult> {
  const csv = path.join(o.dataDir, 'nab', subset, file);
  const name = file.replace(/\.csv$/, '');
  const quiet = {
    info: () => {},
    warn: (obj: object, msg: string) => o.progress(`  warning: ${msg} ${JSON.stringify(obj)}`),
  };
  const argv = [
    '--model',
    'anomaly',
    '--source',
    `csv:${csv}`,
    '--out',
    path.join(o.workDir, 'models'),
    '--name',
    `${subset}-${name}`,
    '--version',
    'benchmark',
    '--progress',
    'none',
    ...(o.trainArgs ?? []),
  ];
  const t0 = performance.now();
  const { dir, meta } = await runTraining(runOptions(argv, quiet));
  const trainSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const { summary, intervals } = await scoreCsv({
    modelDir: dir,
    csv,
    outDir: path.join(o.workDir, 'scores', subset, name),
  });
  const scoreSeconds = (performance.now() - t1) / 1000;
  const detected = intervals.map((iv) => ({ start: Date.parse(iv.start), end: Date.parse(iv.end) }));
  return {
    subset,
    signal: name,
    rows: summary.rows,
    trainSeconds,
    scoreSeconds,
    epochs: meta.training.epochs,
    ...segmentCounts(detected, labels),
    detected,
    labelled: labels,
  };
}

export async function runNab(o: NabOptions): Promise<NabSubsetResult[]> {
  const labels = await readNabLabels(o.dataDir);
  const out: NabSubsetResult[] = [];
  for (const subset of o.subsets) {
    const files = (await nabSignals(o.dataDir, subset)).filter(
      (f) => !o.signals || o.signals.some((s) => f.includes(s)),
    );
    const signals: NabSignalResult[] = [];
    for (const [i, file] of files.entries()) {
      const truth = labels.get(`${subset}/${file}`) ?? [];
      const r = await runSignal(o, subset, file, truth);
      signals.push(r);
      o.progress(
        `[${subset} ${i + 1}/${files.length}] ${r.signal}: ${r.rows} rows, train ${r.trainSeconds.toFixed(1)} s (${r.epochs} epochs), score ${r.scoreSeconds.toFixed(1)} s; TP/FP/FN ${r.tp}/${r.fp}/${r.fn}`,
      );
    }
    out.push({ subset, signals, published: NAB_PUBLISHED_BEST[subset], ...segmentScore(addCounts(signals)) });
  }
  return out;
}

/** `realAdExchange F1 0.xxx (P 0.xx, R 0.xx; TP/FP/FN a/b/c)` */
export function nabSummaryLine(r: NabSubsetResult): string {
  return `${r.subset} F1 ${r.f1.toFixed(3)} (P ${r.precision.toFixed(2)}, R ${r.recall.toFixed(2)}; TP/FP/FN ${r.tp}/${r.fp}/${r.fn})`;
}
