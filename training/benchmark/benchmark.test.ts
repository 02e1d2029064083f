/**
 * The benchmark harness on tiny slices it builds itself (a few hundred rows, one-epoch models), and a check that the
 * real data sets are where the harness looks when they are present (../shared/datasets, beside the clone in CI).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCmapss } from '../../datasets/public/cmapss.js';
import { mulberry32 } from '../datasets/random.js';
import { cmapssSummaryLine, runCmapss } from './cmapss.js';
import { nabSummaryLine, nabTime, readNabLabels, runNab } from './nab.js';
import { medianErrors, runNabBaseline } from './nab-baseline.js';
import { writeBenchmark } from './report.js';

const tiny = ['--epochs', '1', '--units', '4', '--latent', '2', '--window', '8', '--no-onnx'];
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'benchmark-test-'));
  // NAB-shaped: one subset, one signal of 600 five-minute points with a level shift at 400..430, labelled.
  const r = mulberry32(5);
  const t0 = Date.UTC(2020, 0, 1);
  const stamp = (i: number) => new Date(t0 + i * 300_000).toISOString().replace('T', ' ').slice(0, 19);
  const lines = ['timestamp,value'];
  for (let i = 0; i < 600; i++) {
    lines.push(`${stamp(i)},${(Math.sin(i / 12) + 0.05 * r() + (i >= 400 && i < 430 ? 4 : 0)).toFixed(4)}`);
  }
  await mkdir(path.join(dir, 'nab', 'toy'), { recursive: true });
  await mkdir(path.join(dir, 'nab', 'labels'), { recursive: true });
  await writeFile(path.join(dir, 'nab', 'toy', 'shift.csv'), `${lines.join('\n')}\n`);
  const windows = { 'toy/shift.csv': [[`${stamp(390)}.000000`, `${stamp(440)}.000000`]] };
  await writeFile(path.join(dir, 'nab', 'labels', 'combined_windows.json'), JSON.stringify(windows));
  // C-MAPSS-shaped: 8 engines of 40–60 cycles, one sensor degrading towards failure.
  const rows: string[] = [];
  for (let u = 1; u <= 8; u++) {
    const life = 40 + Math.floor(r() * 20);
    for (let c = 1; c <= life; c++) {
      const s = Array.from({ length: 21 }, (_, k) =>
        k === 1 ? 640 + 5 * Math.exp(3 * (c / life - 1)) + r() : 100 + k,
      );
      rows.push([u, c, 0, 0, 100, ...s.map((v) => v.toFixed(3))].join(' '));
    }
  }
  await mkdir(path.join(dir, 'cmapss'), { recursive: true });
  await writeFile(path.join(dir, 'cmapss', 'train_FD001.txt'), `${rows.join('\n')}\n`);
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('NAB harness', () => {
  it('reads zone-less label times as UTC', () => {
    expect(nabTime('2014-04-10 07:15:00.000000')).toBe(Date.UTC(2014, 3, 10, 7, 15));
  });

  it('trains and scores one model per signal with the CLI code and counts TP/FP/FN per subset', async () => {
    const progress: string[] = [];
    const [toy] = await runNab({
      dataDir: dir,
      workDir: path.join(dir, 'work'),
      subsets: ['toy'],
      trainArgs: tiny,
      progress: (l) => progress.push(l),
    });
    expect(toy.signals).toHaveLength(1);
    expect(toy.tp + toy.fn).toBe(1);
    expect(toy.tp + toy.fp).toBe(toy.signals[0].detected.length);
    expect(nabSummaryLine(toy)).toMatch(/^toy F1 \d\.\d{3} \(P \d\.\d{2}, R \d\.\d{2}; TP\/FP\/FN \d+\/\d+\/\d+\)$/);
    expect(progress[0]).toMatch(/\[toy 1\/1\] shift: 600 rows, train/);
    const files = await writeBenchmark(
      path.join(dir, 'out'),
      {
        kind: 'nab',
        createdAt: 'now',
        dataDir: dir,
        trainArgs: tiny,
        seconds: 1,
        summary: [nabSummaryLine(toy)],
        nab: [toy],
      },
      [],
    );
    expect(files.map((f) => path.basename(f))).toEqual(['benchmark.json', 'benchmark.md', 'nab-toy.svg']);
    expect(await readFile(files[1], 'utf8')).toContain(nabSummaryLine(toy));
  });

  it('the model-free baseline finds the level shift and nothing else', async () => {
    const [toy] = await runNabBaseline(dir, ['toy']);
    expect(toy).toMatchObject({ tp: 1, fp: 0, fn: 0 });
    expect(medianErrors([0, 1, 2, 3], [1, 1, 1, 5], 3)).toEqual({ ts: [3], errors: [4] });
  });
});

describe('C-MAPSS harness', () => {
  it('cross-validates over engines: every engine held out once, one RUL per engine at its cut', async () => {
    const progress: string[] = [];
    const [r] = await runCmapss({
      dataDir: dir,
      workDir: path.join(dir, 'work-cm'),
      subsets: ['FD001'],
      folds: 2,
      trainArgs: [...tiny, '--ttf-cap', '30'],
      progress: (l) => progress.push(l),
    });
    expect(r.folds).toHaveLength(2);
    expect(r.engines.map((e) => e.unit).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const e of r.engines) {
      expect(e.observed).toBeLessThanOrEqual(e.cycles);
      expect(e.trueRul).toBe(e.cycles - e.observed);
      expect(e.cappedRul).toBe(Math.min(e.trueRul, 30));
      expect(e.predicted).toBeGreaterThanOrEqual(0);
      expect(e.predicted).toBeLessThanOrEqual(30);
    }
    expect(cmapssSummaryLine(r)).toMatch(/^FD001 cv RMSE \d+\.\d{2} \(PHM08 \d+\)$/);
    expect(progress).toHaveLength(2);
    expect(progress[0]).toMatch(/RMSE \d+\.\d{2} \(PHM08 \d+\)$/);
    // The summary's PHM08 is the sum of the folds' (the score adds up over engines).
    expect(Math.round(r.folds.reduce((a, f) => a + f.phm08, 0))).toBe(Math.round(r.phm08));
  });

  it('with --cuts scores every held-out engine at each seeded cut; the first draw is the protocol figure', async () => {
    const common = {
      dataDir: dir,
      subsets: ['FD001'],
      folds: 2,
      trainArgs: [...tiny, '--ttf-cap', '30'],
      progress: () => {},
    };
    const [one] = await runCmapss({ ...common, workDir: path.join(dir, 'work-cm1') });
    const [three] = await runCmapss({ ...common, workDir: path.join(dir, 'work-cm3'), cuts: 3 });
    expect(three.engines).toHaveLength(3 * 8);
    for (let d = 0; d < 3; d++) expect(three.engines.filter((e) => e.draw === d)).toHaveLength(8);
    // Seeded: the same models and the same first cuts, so the headline figure does not move with --cuts.
    expect(three.engines.filter((e) => e.draw === 0).map((e) => [e.unit, e.observed, e.predicted])).toEqual(
      one.engines.map((e) => [e.unit, e.observed, e.predicted]),
    );
    expect(three.rmse).toBe(one.rmse);
    // Other draws cut elsewhere.
    const cutsOf = (d: number) => three.engines.filter((e) => e.draw === d).map((e) => e.observed);
    expect(cutsOf(1)).not.toEqual(cutsOf(0));
    expect(three.draws?.count).toBe(3);
    expect(three.draws?.rmseByDraw[0]).toBe(one.rmse);
    expect(cmapssSummaryLine(three)).toMatch(/; 3 cuts per engine: RMSE \d+\.\d{2} \(draws \d+\.\d{2}–\d+\.\d{2}\)$/);
  });
});

// The real data, when present (CI has ../shared beside the clone): the files and labels the harness reads.
const shared = path.resolve('../shared/datasets');
describe.skipIf(!existsSync(shared))('public data sets at ../shared/datasets', () => {
  it('has labels for every NAB signal of the five subsets, and 100 FD001 engines', async () => {
    const labels = await readNabLabels(shared);
    expect(labels.size).toBe(36);
    for (const windows of labels.values()) for (const w of windows) expect(w.end).toBeGreaterThan(w.start);
    const engines = parseCmapss(await readFile(path.join(shared, 'cmapss', 'train_FD001.txt'), 'utf8'));
    expect(engines).toHaveLength(100);
  });
});
