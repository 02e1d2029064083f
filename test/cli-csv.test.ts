/**
 * End to end from the command line, on CSVs whose schemas the product has never seen (generated here, seeded):
 * univariate with ISO times and labels, multivariate with an entity column and epoch seconds, run-to-failure with
 * integer cycles. Each trains (tiny: 2 epochs), scores and evaluates through `scripts/*.ts`; bad CSVs must fail
 * with one clear line and a non-zero exit. No services needed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../training/datasets/random.js';

let dir: string;

function cli(script: 'train' | 'score' | 'evaluate', args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', `scripts/${script}.ts`, ...args], {
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'warn', TFJS_BACKEND: process.env.TFJS_BACKEND ?? 'wasm' },
    timeout: 300_000,
  });
  // Native libraries may print warnings (e.g. no Vulkan); keep only our own lines.
  const stderr = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('error:'))
    .join('\n');
  return { code: r.status, stdout: r.stdout, stderr };
}

function lastJson(stdout: string): Record<string, unknown> {
  const line = stdout.trim().split('\n').at(-1) ?? '{}';
  return JSON.parse(line) as Record<string, unknown>;
}

const gauss = (r: () => number) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());

/** Univariate sine with three labelled spikes, one row a minute, ISO timestamps. */
function univariateCsv(): string {
  const r = mulberry32(1);
  const t0 = Date.UTC(2025, 0, 1);
  const spikes = [
    [700, 712],
    [900, 906],
    [1100, 1110],
  ];
  const lines = ['time,level,label'];
  for (let i = 0; i < 1200; i++) {
    const on = spikes.some(([a, b]) => i >= a && i < b);
    const v = Math.sin(i / 15) + 0.05 * gauss(r) + (on ? 3 : 0);
    lines.push(`${new Date(t0 + i * 60_000).toISOString()},${v.toFixed(4)},${on ? 1 : 0}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Three machines, epoch seconds, four sensors (one constant), one machine drifts at the end. */
function multivariateCsv(): string {
  const r = mulberry32(2);
  const lines = ['machine,epoch,pressure,flow,vibration,site_code'];
  for (const m of ['m1', 'm2', 'm3']) {
    for (let i = 0; i < 400; i++) {
      const drift = m === 'm3' && i >= 370 ? 4 : 0;
      const p = 10 + Math.sin(i / 10) + 0.1 * gauss(r) + drift;
      const f = 5 + 0.5 * Math.cos(i / 10) + 0.1 * gauss(r);
      const v = 0.2 * gauss(r) + drift;
      lines.push(`${m},${1_700_000_000 + i * 30},${p.toFixed(3)},${f.toFixed(3)},${v.toFixed(3)},7`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Twenty units run to failure, integer cycles; two sensors degrade towards the end. */
function runToFailureCsv(): string {
  const r = mulberry32(3);
  const lines = ['engine_id,cycle,t24,p30,noise'];
  for (let u = 1; u <= 20; u++) {
    const life = 80 + Math.floor(r() * 60);
    for (let c = 1; c <= life; c++) {
      const deg = Math.exp(4 * (c / life - 1));
      lines.push(
        `${u},${c},${(640 + 8 * deg + 0.3 * gauss(r)).toFixed(3)},${(1.5 - 0.3 * deg + 0.01 * gauss(r)).toFixed(4)},${gauss(r).toFixed(3)}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cli-csv-'));
  writeFileSync(path.join(dir, 'uni.csv'), univariateCsv());
  writeFileSync(path.join(dir, 'multi.csv'), multivariateCsv());
  writeFileSync(path.join(dir, 'rtf.csv'), runToFailureCsv());
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const common = (name: string) => [
  '--out',
  path.join(dir, 'models'),
  '--name',
  name,
  '--version',
  'v1',
  '--epochs',
  '2',
  '--progress',
  'none',
];

describe('CSV end to end through the command line', () => {
  it('univariate: trains an anomaly detector, scores the CSV, finds the spikes and writes a report', () => {
    const train = cli('train', [
      '--model',
      'anomaly',
      '--source',
      `csv:${path.join(dir, 'uni.csv')}`,
      '--window',
      '10',
      '--features',
      'level',
      ...common('uni'),
    ]);
    expect(train.stderr).toBe('');
    expect(train.code).toBe(0);
    const modelDir = path.join(dir, 'models', 'uni', 'v1');

    const out = path.join(dir, 'uni-scores');
    const score = cli('score', ['--model-dir', modelDir, '--csv', path.join(dir, 'uni.csv'), '--out', out]);
    expect(score.code).toBe(0);
    const summary = lastJson(score.stdout);
    expect(summary.runtime).toBe('onnx');
    expect(summary.rows).toBe(1200);
    const rows = readFileSync(path.join(out, 'scores.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('entity,ts,ts_ms,score,alarm');
    expect(rows).toHaveLength(1201);
    const intervals = JSON.parse(readFileSync(path.join(out, 'intervals.json'), 'utf8')) as {
      start: string;
      topFeatures: { feature: string }[];
    }[];
    // A CSV model records the sliding-window detector; its intervals include `padding` rows before the first hit.
    const meta = JSON.parse(readFileSync(path.join(modelDir, 'model.json'), 'utf8')) as {
      detection?: { method: string; padding: number };
    };
    expect(meta.detection?.method).toBe('sliding-window');
    const early = (meta.detection?.padding ?? 0) * 60_000;
    const spikeStart = Date.UTC(2025, 0, 1) + 700 * 60_000;
    expect(intervals.some((iv) => Math.abs(Date.parse(iv.start) + early - spikeStart) <= 15 * 60_000)).toBe(true);
    expect(intervals[0].topFeatures[0].feature).toBe('level');

    // The tfjs artefact gives the same scores as the ONNX file serving runs.
    const tfOut = path.join(dir, 'uni-scores-tfjs');
    expect(
      cli('score', ['--model-dir', modelDir, '--csv', path.join(dir, 'uni.csv'), '--out', tfOut, '--runtime', 'tfjs'])
        .code,
    ).toBe(0);
    const scoresOf = (folder: string) =>
      readFileSync(path.join(folder, 'scores.csv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[3])
        .filter((v) => v !== '')
        .map(Number);
    const onnxScores = scoresOf(out);
    const tfScores = scoresOf(tfOut);
    expect(tfScores).toHaveLength(onnxScores.length);
    const worst = onnxScores.reduce((m, v, i) => Math.max(m, Math.abs(v - tfScores[i]) / Math.max(1, Math.abs(v))), 0);
    expect(worst).toBeLessThan(1e-3);

    const ev = cli('evaluate', [
      '--model-dir',
      modelDir,
      '--source',
      `csv:${path.join(dir, 'uni.csv')}`,
      '--reports',
      path.join(dir, 'reports'),
    ]);
    expect(ev.code).toBe(0);
    const { metrics } = lastJson(ev.stdout) as { metrics: Record<string, number> };
    expect(metrics.events).toBe(3);
    expect(metrics.eventRecall).toBeGreaterThan(0);
    const reportDir = path.join(dir, 'reports', 'uni-v1');
    const report = JSON.parse(readFileSync(path.join(reportDir, 'report.json'), 'utf8')) as { plots: string[] };
    expect(report.plots).toEqual(expect.arrayContaining(['loss.svg', 'timeline.svg', 'precision-recall.svg']));
    expect(readFileSync(path.join(reportDir, 'report.md'), 'utf8')).toMatch(/eventRecall/);
    expect(readFileSync(path.join(reportDir, 'timeline.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
  });

  it('multivariate with an entity column: scores per machine and flags the drifting one', () => {
    const csv = path.join(dir, 'multi.csv');
    const train = cli('train', [
      '--model',
      'anomaly',
      '--source',
      `csv:${csv}`,
      '--entity-column',
      'machine',
      '--window',
      '8',
      '--features',
      'pressure,flow,vibration',
      ...common('multi'),
    ]);
    expect(train.stderr).toBe('');
    expect(train.code).toBe(0);
    const out = path.join(dir, 'multi-scores');
    const score = cli('score', ['--model-dir', path.join(dir, 'models', 'multi', 'v1'), '--csv', csv, '--out', out]);
    expect(score.code).toBe(0);
    const intervals = JSON.parse(readFileSync(path.join(out, 'intervals.json'), 'utf8')) as {
      entity: string;
      peak: number;
    }[];
    const top = [...intervals].sort((a, b) => b.peak - a.peak)[0];
    expect(top.entity).toBe('m3');
  });

  it('run to failure: trains a time-to-failure model and evaluates it on the test units', () => {
    const csv = path.join(dir, 'rtf.csv');
    const train = cli('train', [
      '--model',
      'ttf',
      '--source',
      `csv:${csv}`,
      '--run-to-failure',
      '--window',
      '10',
      '--ttf-cap',
      '60',
      '--features',
      't24,p30',
      // A test part (the CSV default keeps none); evaluate --split test reads these fractions from model.json.
      '--split',
      '0.7,0.15,0.15',
      ...common('rtf'),
    ]);
    expect(train.stderr).toBe('');
    expect(train.code).toBe(0);
    const ev = cli('evaluate', [
      '--model-dir',
      path.join(dir, 'models', 'rtf', 'v1'),
      '--source',
      `csv:${csv}`,
      '--run-to-failure',
      '--split',
      'test',
      '--reports',
      path.join(dir, 'reports'),
    ]);
    expect(ev.code).toBe(0);
    const { metrics } = lastJson(ev.stdout) as { metrics: Record<string, number> };
    expect(metrics.units).toBe(3);
    expect(Number.isFinite(metrics.rmse)).toBe(true);
    expect(metrics.rmse).toBeLessThan(60);
    expect(readFileSync(path.join(dir, 'reports', 'rtf-v1', 'ttf-scatter.svg'), 'utf8')).toContain('<circle');
    // Every feature column described as read (danfojs-node), in model.json and in the evaluation report.
    const meta = JSON.parse(readFileSync(path.join(dir, 'models', 'rtf', 'v1', 'model.json'), 'utf8'));
    const t24 = meta.source.columns.find((c: { name: string }) => c.name === 't24');
    const t24Values = readFileSync(csv, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => Number(l.split(',')[2]));
    expect(t24).toMatchObject({ missing: 0, count: t24Values.length, min: Math.min(...t24Values), constant: false });
    expect(readFileSync(path.join(dir, 'reports', 'rtf-v1', 'report.md'), 'utf8')).toMatch(
      /## Columns as read[\s\S]*\| t24 \|/,
    );

    // score: one row per unit with its RUL at the last observed cycle, within [0, cap]; a unit observed for fewer
    // cycles than the window is padded, not dropped.
    const cut = path.join(dir, 'rtf-cut.csv');
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    const kept = lines.filter((l, i) => i === 0 || Number(l.split(',')[1]) <= (l.startsWith('1,') ? 4 : 50));
    writeFileSync(cut, `${kept.join('\n')}\n`);
    const out = path.join(dir, 'rtf-scores');
    const score = cli('score', ['--model-dir', path.join(dir, 'models', 'rtf', 'v1'), '--csv', cut, '--out', out]);
    expect(score.stderr).toBe('');
    expect(score.code).toBe(0);
    const rul = readFileSync(path.join(out, 'rul.csv'), 'utf8').trim().split('\n');
    expect(rul[0]).toBe('entity,last_ts,last_ts_ms,rows,rul_steps,padded');
    expect(rul).toHaveLength(21);
    const byUnit = new Map(rul.slice(1).map((l) => [l.split(',')[0], l.split(',')]));
    expect(byUnit.get('1')?.slice(3)).toEqual(['4', expect.any(String), '1']);
    expect(byUnit.get('2')?.[3]).toBe('50');
    for (const r of byUnit.values()) {
      expect(Number(r[4])).toBeGreaterThanOrEqual(0);
      expect(Number(r[4])).toBeLessThanOrEqual(60);
    }

    // evaluate with a true-RUL file (C-MAPSS RUL_FD00x.txt style, one value per unit in file order): the cut units
    // stop before failure, and the last-row RMSE is the one computed here from score's rul.csv and the true RUL.
    const total = new Map<string, number>();
    for (const l of lines.slice(1)) total.set(l.split(',')[0], (total.get(l.split(',')[0]) ?? 0) + 1);
    const trueRul = [...byUnit.keys()].map((u) => (total.get(u) ?? 0) - Number(byUnit.get(u)?.[3]));
    const rulFile = path.join(dir, 'RUL_rtf.txt');
    writeFileSync(rulFile, `${trueRul.join('\n')}\n`);
    const withTruth = cli('evaluate', [
      '--model-dir',
      path.join(dir, 'models', 'rtf', 'v1'),
      '--source',
      `csv:${cut}`,
      '--true-rul',
      rulFile,
      '--reports',
      path.join(dir, 'reports-true-rul'),
    ]);
    expect(withTruth.stderr).toBe('');
    expect(withTruth.code).toBe(0);
    const m = (lastJson(withTruth.stdout) as { metrics: Record<string, number> }).metrics;
    // Unit 1 (4 rows) is shorter than the window: evaluate pads it as score does (and says so in the report), so
    // every unit is evaluated on the RUL score wrote for it.
    const evaluated = [...byUnit.keys()];
    expect(m.units).toBe(evaluated.length);
    expect(readFileSync(path.join(dir, 'reports-true-rul', 'rtf-v1', 'report.md'), 'utf8')).toMatch(
      /1 entities shorter than the \d+-row window padded with their first row: 1 \(4 rows\)/,
    );
    const err = evaluated.map((u, k) => Number(byUnit.get(u)?.[4]) - Math.min(trueRul[k], 60));
    const expected = Math.sqrt(err.reduce((a, e) => a + e * e, 0) / err.length);
    expect(m.rmseLastWindow).toBeCloseTo(expected, 3);
    const short = cli('evaluate', [
      ...['--model-dir', path.join(dir, 'models', 'rtf', 'v1'), '--source', `csv:${cut}`],
      ...['--true-rul', rulFile, '--run-to-failure', '--reports', path.join(dir, 'reports-true-rul')],
    ]);
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/--true-rul is for entities that stop before failure/);
  });

  it('a bad CSV fails with one clear line and a non-zero exit', () => {
    const modelDir = path.join(dir, 'models', 'uni', 'v1');
    const missing = path.join(dir, 'missing-col.csv');
    writeFileSync(missing, 'time,other\n2025-01-01T00:00:00Z,1\n');
    const a = cli('score', ['--model-dir', modelDir, '--csv', missing, '--out', path.join(dir, 'bad')]);
    expect(a.code).toBe(1);
    expect(a.stderr).toBe('error: VALIDATION_FAILED: feature column "level" not found; columns present: time, other');

    const text = path.join(dir, 'text.csv');
    writeFileSync(text, 'time,level\n2025-01-01T00:00:00Z,1\n2025-01-01T00:01:00Z,high\n');
    const b = cli('score', ['--model-dir', modelDir, '--csv', text, '--out', path.join(dir, 'bad')]);
    expect(b.code).toBe(1);
    expect(b.stderr).toBe('error: VALIDATION_FAILED: line 3: column "level" has "high", not a number');

    const ragged = path.join(dir, 'ragged.csv');
    writeFileSync(ragged, 'time,level\n2025-01-01T00:00:00Z,1\n2025-01-01T00:01:00Z\n');
    const c = cli('train', [
      '--model',
      'anomaly',
      '--source',
      `csv:${ragged}`,
      '--features',
      'level',
      ...common('ragged'),
    ]);
    expect(c.code).not.toBe(0);
    expect(c.stderr).toMatch(/line 3 has 1 fields, the header has 2/);

    const short = path.join(dir, 'short.csv');
    writeFileSync(short, 'time,level\n2025-01-01T00:00:00Z,1\n2025-01-01T00:01:00Z,2\n');
    const d = cli('score', ['--model-dir', modelDir, '--csv', short, '--out', path.join(dir, 'bad')]);
    expect(d.code).toBe(1);
    expect(d.stderr).toBe('error: VALIDATION_FAILED: CSV has 2 rows, fewer than the window length 10');

    const e = cli('score', ['--model-dir', modelDir, '--csv', short]);
    expect(e.code).toBe(2);
    expect(e.stderr).toBe("error: required option '--out <dir>' not specified");
  });
});
