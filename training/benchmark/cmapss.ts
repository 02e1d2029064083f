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
  /** Which seeded cut: 0 is the protocol's one cut per engine, 1.. the extra draws of `--cuts`. */
  readonly draw: number;
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
  /** With more than one cut per engine: RMSE over every cut, and each draw's RMSE (the spread one cut hides). */
  readonly draws?: { readonly count: number; readonly rmse: number; readonly rmseByDraw: readonly number[] };
}

export interface CmapssOptions {
  readonly dataDir: string;
  readonly workDir: string;
  readonly subsets: readonly string[];
  readonly folds: number;
  /** Run only the first n folds (a bounded check on a busy machine; the report says how many ran). */
  readonly foldLimit?: number;
  readonly trainArgs?: readonly string[];
  /**
   * Seeded cuts per held-out engine, each scored by the same fold model (no extra training). The first is the
   * protocol's cut and gives the headline figures; more measure how much one draw of cuts moves them. @defaultValue 1
   */
  readonly cuts?: number;
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
  draws: readonly ReadonlyMap<number, number>[],
): Promise<{ fold: CmapssFold; engines: CmapssEngineResult[]; cap: number }> {
  const dir = path.join(o.workDir, subset, `fold-${fold}`);
  await mkdir(dir, { recursive: true });
  const trainCsv = path.join(dir, 'train.csv');
  await writeFile(trainCsv, cmapssCsv(train));
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
  const engines: CmapssEngineResult[] = [];
  for (const [draw, cuts] of draws.entries()) {
    const name = draw === 0 ? 'test' : `test-${draw}`;
    const testCsv = path.join(dir, `${name}.csv`);
    await writeFile(
      testCsv,
      cmapssCsv(test, (u) => cuts.get(u) ?? Number.POSITIVE_INFINITY),
    );
    const outDir = path.join(dir, draw === 0 ? 'scores' : `scores-${draw}`);
    const { remaining } = await scoreCsv({ modelDir, csv: testCsv, outDir });
    const predicted = new Map((remaining ?? []).map((r) => [r.entity, r.rulSteps]));
    for (const e of test) {
      const observed = cuts.get(e.unit) ?? e.rows.length;
      const trueRul = e.rows.length - observed;
      const p = predicted.get(String(e.unit));
      if (p === undefined) throw new AppError('VALIDATION_FAILED', `no RUL predicted for engine ${e.unit}`);
      engines.push({
        unit: e.unit,
        fold,
        draw,
        cycles: e.rows.length,
        observed,
        trueRul,
        cappedRul: Math.min(trueRul, cap),
        predicted: p,
      });
    }
  }
  const protocol = engines.filter((e) => e.draw === 0);
  const foldRmse = rmse(
    protocol.map((e) => e.predicted),
    protocol.map((e) => e.cappedRul),
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
        protocol.map((e) => e.predicted),
        protocol.map((e) => e.cappedRul),
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
    // Draw 0 is the protocol's cut (seed + 1, as before there were draws); each further draw has its own seed.
    const draws = Array.from({ length: Math.max(1, o.cuts ?? 1) }, (_, d) => cutCycles(engines, seed + 1 + 1_000 * d));
    const folds: CmapssFold[] = [];
    const results: CmapssEngineResult[] = [];
    let cap = Number.POSITIVE_INFINITY;
    const run = Math.min(k, o.foldLimit ?? k);
    for (let f = 0; f < run; f++) {
      const test = engines.filter((_, i) => order[i] % k === f);
      const train = engines.filter((_, i) => order[i] % k !== f);
      const r = await runFold(o, subset, f + 1, train, test, draws);
      folds.push(r.fold);
      results.push(...r.engines);
      cap = r.cap;
      o.progress(
        `[${subset} fold ${f + 1}/${k}${run < k ? `, ${run} to run` : ''}] ${train.length} engines trained in ${r.fold.trainSeconds.toFixed(0)} s (${r.fold.epochs} epochs); ${test.length} held out: RMSE ${r.fold.rmse.toFixed(2)} (PHM08 ${Math.round(r.fold.phm08)})`,
      );
    }
    const byDraw = (d: number) => results.filter((e) => e.draw === d);
    const protocol = byDraw(0);
    const pred = protocol.map((e) => e.predicted);
    const rmseOf = (rs: readonly CmapssEngineResult[]) =>
      rmse(
        rs.map((e) => e.predicted),
        rs.map((e) => e.cappedRul),
      );
    out.push({
      subset,
      capSteps: cap,
      rmse: rmseOf(protocol),
      rmseUncapped: rmse(
        pred,
        protocol.map((e) => e.trueRul),
      ),
      phm08: phm08Score(
        pred,
        protocol.map((e) => e.cappedRul),
      ),
      folds,
      foldsPlanned: k,
      engines: results,
      published: CMAPSS_PUBLISHED[subset],
      ...(draws.length > 1
        ? {
            draws: {
              count: draws.length,
              rmse: rmseOf(results),
              rmseByDraw: draws.map((_, d) => rmseOf(byDraw(d))),
            },
          }
        : {}),
    });
  }
  return out;
}

/** `FD001 cv RMSE x.xx (PHM08 y)`, and with several cuts per engine `; 10 cuts per engine: RMSE x.xx (draws a–b)` */
export function cmapssSummaryLine(r: CmapssResult): string {
  const partial = r.folds.length < r.foldsPlanned ? ` [${r.folds.length} of ${r.foldsPlanned} folds]` : '';
  const d = r.draws;
  const spread = d
    ? `; ${d.count} cuts per engine: RMSE ${d.rmse.toFixed(2)} (draws ${Math.min(...d.rmseByDraw).toFixed(2)}–${Math.max(...d.rmseByDraw).toFixed(2)})`
    : '';
  return `${r.subset} cv RMSE ${r.rmse.toFixed(2)} (PHM08 ${Math.round(r.phm08)})${partial}${spread}`;
}

export function cmapssMarkdown(results: readonly CmapssResult[]): string[] {
  const lines = [
    '| subset | cv RMSE (truth capped) | RMSE (uncapped truth) | PHM08 | engines | folds | train s per fold | best published test RMSE |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of results) {
    const t = r.folds.reduce((s, f) => s + f.trainSeconds, 0) / Math.max(r.folds.length, 1);
    lines.push(
      `| ${r.subset} | ${r.rmse.toFixed(2)} | ${r.rmseUncapped.toFixed(2)} | ${Math.round(r.phm08)} | ${r.engines.filter((e) => e.draw === 0).length} | ${r.folds.length} | ${t.toFixed(0)} | ${r.published?.toFixed(2) ?? 'n/a'} |`,
    );
  }
  for (const r of results) {
    if (!r.draws) continue;
    const by = r.draws.rmseByDraw.map((v) => v.toFixed(2)).join(', ');
    lines.push(
      '',
      `${r.subset}, ${r.draws.count} seeded cuts per engine: RMSE ${r.draws.rmse.toFixed(2)}; by draw ${by}`,
    );
  }
  return lines;
}
