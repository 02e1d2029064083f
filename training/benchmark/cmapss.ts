/**
 * C-MAPSS remaining useful life, validated as ../shared/datasets/README.md says while the official test file is
 * held back: k-fold cross-validation over the run-to-failure training engines. Per fold the other engines are
 * written as a CSV and trained on with the CLI's defaults for a run-to-failure CSV (`npm run train -- --model ttf
 * --source csv:<file> --run-to-failure`); each held-out engine is cut at a random cycle (seeded), scored with
 * `npm run score`'s code, and its predicted RUL at the last observed cycle compared with the true one, capped at
 * the model's cap as the literature's piecewise-linear target is (the uncapped RMSE is reported too).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type CmapssEngine, cmapssCsv, parseCmapss } from '../../datasets/public/cmapss.js';
import { AppError } from '../../src/errors.js';
import { runOptions } from '../cli/train.js';
import { mulberry32, permutation } from '../datasets/random.js';
import { scoreCsv } from '../evaluate/score-csv.js';
import { phm08Score, rmse } from '../metrics/regression.js';
import { runTraining } from '../trainer-run.js';

export const CMAPSS_SUBSETS = ['FD001', 'FD002', 'FD003', 'FD004'] as const;

/** Published test RMSE on FD001 (README of the data): best deep model, and the issue's target. */
export const CMAPSS_PUBLISHED: Readonly<Record<string, number>> = { FD001: 12.61 };

export interface CmapssEngineResult {
  readonly unit: number;
  readonly fold: number;
  readonly cycles: number;
  readonly observed: number;
  readonly trueRul: number;
  readonly cappedRul: number;
  readonly predicted: number;
}

export interface CmapssFold {
  readonly fold: number;
  readonly trainEngines: number;
  readonly testEngines: number;
  readonly trainSeconds: number;
  readonly epochs: number;
  readonly rmse: number;
  readonly phm08: number;
}

export interface CmapssResult {
  readonly subset: string;
  readonly capSteps: number;
  readonly rmse: number;
  readonly rmseUncapped: number;
  readonly phm08: number;
  readonly folds: readonly CmapssFold[];
  readonly foldsPlanned: number;
  readonly engines: readonly CmapssEngineResult[];
  readonly published?: number;
}

export interface CmapssOptions {
  readonly dataDir: string;
  readonly workDir: string;
  readonly subsets: readonly string[];
  readonly folds: number;
  /** Run only the first n folds (a bounded check on a busy machine; the report says how many ran). */
  readonly foldLimit?: number;
  readonly trainArgs?: readonly string[];
  /** Seeds the engine shuffle and the cut cycles. @defaultValue 7 */
  readonly seed?: number;
  readonly progress: (line: string) => void;
}

/** Cut cycle of a held-out engine: uniform over [min(31, n), n], so at least a window is usually observed. */
export function cutCycles(engines: readonly CmapssEngine[], seed: number): Map<number, number> {
  const rand = mulberry32(seed);
  return new Map(
    engines.map((e) => {
      const n = e.rows.length;
      const lo = Math.min(31, n);
      return [e.unit, lo + Math.floor(rand() * (n - lo + 1))];
    }),
  );
}

async function runFold(
  o: CmapssOptions,
  subset: string,
  fold: number,
  train: readonly CmapssEngine[],
  test: readonly CmapssEngine[],
  cuts: ReadonlyMap<number, number>,
): Promise<{ fold: CmapssFold; engines: CmapssEngineResult[]; cap: number }> {
  const dir = path.join(o.workDir, subset, `fold-${fold}`);
  await mkdir(dir, { recursive: true });
  const trainCsv = path.join(dir, 'train.csv');
  const testCsv = path.join(dir, 'test.csv');
  await writeFile(trainCsv, cmapssCsv(train));
  await writeFile(
    testCsv,
    cmapssCsv(test, (u) => cuts.get(u) ?? Number.POSITIVE_INFINITY),
  );
  const quiet = { info: () => {}, warn: () => {} };
  const argv = [
    ...['--model', 'ttf', '--source', `csv:${trainCsv}`, '--run-to-failure', '--out', path.join(dir, 'models')],
    ...['--name', `${subset}-fold-${fold}`, '--version', 'benchmark', '--progress', 'none'],
    ...(o.trainArgs ?? []),
  ];
  const t0 = performance.now();
  const { dir: modelDir, meta } = await runTraining(runOptions(argv, quiet));
  const trainSeconds = (performance.now() - t0) / 1000;
  const cap = meta.ttfCapSteps ?? Number.POSITIVE_INFINITY;
  const { remaining } = await scoreCsv({ modelDir, csv: testCsv, outDir: path.join(dir, 'scores') });
  const predicted = new Map((remaining ?? []).map((r) => [r.entity, r.rulSteps]));
  const engines = test.map((e) => {
    const observed = cuts.get(e.unit) ?? e.rows.length;
    const trueRul = e.rows.length - observed;
    const p = predicted.get(String(e.unit));
    if (p === undefined) throw new AppError('VALIDATION_FAILED', `no RUL predicted for engine ${e.unit}`);
    return {
      unit: e.unit,
      fold,
      cycles: e.rows.length,
      observed,
      trueRul,
      cappedRul: Math.min(trueRul, cap),
      predicted: p,
    };
  });
  const foldRmse = rmse(
    engines.map((e) => e.predicted),
    engines.map((e) => e.cappedRul),
  );
  return {
    fold: {
      fold,
      trainEngines: train.length,
      testEngines: test.length,
      trainSeconds,
      epochs: meta.training.epochs,
      rmse: foldRmse,
      phm08: phm08Score(
        engines.map((e) => e.predicted),
        engines.map((e) => e.cappedRul),
      ),
    },
    engines,
    cap,
  };
}

export async function runCmapss(o: CmapssOptions): Promise<CmapssResult[]> {
  const out: CmapssResult[] = [];
  const seed = o.seed ?? 7;
  for (const subset of o.subsets) {
    const file = path.join(o.dataDir, 'cmapss', `train_${subset}.txt`);
    const text = await readFile(file, 'utf8').catch(() => {
      throw new AppError('VALIDATION_FAILED', `no C-MAPSS file ${file}`);
    });
    const engines = parseCmapss(text, file);
    const order = permutation(engines.length, seed);
    const k = Math.max(2, Math.min(o.folds, engines.length));
    const cuts = cutCycles(engines, seed + 1);
    const folds: CmapssFold[] = [];
    const results: CmapssEngineResult[] = [];
    let cap = Number.POSITIVE_INFINITY;
    const run = Math.min(k, o.foldLimit ?? k);
    for (let f = 0; f < run; f++) {
      const test = engines.filter((_, i) => order[i] % k === f);
      const train = engines.filter((_, i) => order[i] % k !== f);
      const r = await runFold(o, subset, f + 1, train, test, cuts);
      folds.push(r.fold);
      results.push(...r.engines);
      cap = r.cap;
      o.progress(
        `[${subset} fold ${f + 1}/${k}${run < k ? `, ${run} to run` : ''}] ${train.length} engines trained in ${r.fold.trainSeconds.toFixed(0)} s (${r.fold.epochs} epochs); ${test.length} held out: RMSE ${r.fold.rmse.toFixed(2)} (PHM08 ${Math.round(r.fold.phm08)})`,
      );
    }
    const pred = results.map((e) => e.predicted);
    out.push({
      subset,
      capSteps: cap,
      rmse: rmse(
        pred,
        results.map((e) => e.cappedRul),
      ),
      rmseUncapped: rmse(
        pred,
        results.map((e) => e.trueRul),
      ),
      phm08: phm08Score(
        pred,
        results.map((e) => e.cappedRul),
      ),
      folds,
      foldsPlanned: k,
      engines: results,
      published: CMAPSS_PUBLISHED[subset],
    });
  }
  return out;
}

/** `FD001 cv RMSE x.xx (PHM08 y)` */
export function cmapssSummaryLine(r: CmapssResult): string {
  const partial = r.folds.length < r.foldsPlanned ? ` [${r.folds.length} of ${r.foldsPlanned} folds]` : '';
  return `${r.subset} cv RMSE ${r.rmse.toFixed(2)} (PHM08 ${Math.round(r.phm08)})${partial}`;
}

export function cmapssMarkdown(results: readonly CmapssResult[]): string[] {
  const lines = [
    '| subset | cv RMSE (truth capped) | RMSE (uncapped truth) | PHM08 | engines | folds | train s per fold | best published test RMSE |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of results) {
    const t = r.folds.reduce((s, f) => s + f.trainSeconds, 0) / Math.max(r.folds.length, 1);
    lines.push(
      `| ${r.subset} | ${r.rmse.toFixed(2)} | ${r.rmseUncapped.toFixed(2)} | ${Math.round(r.phm08)} | ${r.engines.length} | ${r.folds.length} | ${t.toFixed(0)} | ${r.published?.toFixed(2) ?? 'n/a'} |`,
    );
  }
  return lines;
}
