import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ModelMetadata } from '../../src/features/model-metadata.js';
import { loadTrainedModel } from '../artifacts.js';
import { main, runOptions } from './train.js';

const quiet = { info: () => {}, warn: () => {} };
let out: string;
beforeAll(async () => {
  out = await mkdtemp(path.join(os.tmpdir(), 'fleetsense-train-cli-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

async function exitOf(args: string[]): Promise<{ code: number; stderr: string }> {
  const writes: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    writes.push(String(chunk));
    return true;
  });
  try {
    return { code: await main(args), stderr: writes.join('') };
  } finally {
    spy.mockRestore();
  }
}

describe('train CLI arguments', () => {
  it.each([
    [['--source', 'sim'], /--model/],
    [['--model', 'gru'], /anomaly, fault, ttf, throughput/],
    [['--model', 'anomaly', '--epochs', '0'], /--epochs must be an integer >= 1/],
    [['--model', 'anomaly', '--source', 'kafka'], /sim, questdb or csv:<path>/],
    [['--model', 'fault', '--horizon', '1.5'], /--horizon/],
    [
      ['--model', 'anomaly', '--source', 'questdb', '--from', '2026-02-01', '--to', '2026-01-01'],
      /--from must be before --to/,
    ],
    [['--model', 'anomaly', '--split', '0,0.5'], /--split/],
    [['--model', 'anomaly', '--bogus'], /unknown option/],
  ])('rejects %j with one line and exit code 2', async (args, message) => {
    const { code, stderr } = await exitOf(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('maps flags to run options with per-family defaults', () => {
    const o = runOptions(
      ['--model', 'fault', '--horizon', '60', '--ttf-cap', '120', '--seed', '7', '--gpus', '8'],
      quiet,
    );
    expect(o).toMatchObject({ family: 'fault', horizonSteps: 60, ttfCapSteps: 120, seed: 7, windowLength: 30 });
    expect(o.source).toMatchObject({ kind: 'sim', gpus: 8 });
    expect(o.trainer.epochs).toBeGreaterThan(0);
    const csv = runOptions(['--model', 'ttf', '--source', 'csv:data/x.csv', '--run-to-failure'], quiet);
    expect(csv.source).toMatchObject({ kind: 'csv', path: 'data/x.csv', options: { runToFailure: true } });
  });
});

describe('train CLI defaults for a CSV source', () => {
  it('use every entity and window, size training by steps, cap RUL at 125 and keep no test part', () => {
    const o = runOptions(['--model', 'ttf', '--source', 'csv:x.csv', '--run-to-failure'], quiet);
    expect(o.maxEntities).toBeGreaterThan(1_000_000);
    expect(o.trainStride).toBe(1);
    expect(o.ttfCapSteps).toBe(125);
    // A run-to-failure window of 50 cycles (the source's minimum rows follows it); --window still wins.
    expect(o.windowLength).toBe(50);
    expect(o.source).toMatchObject({ options: { minRows: 50 } });
    expect(
      runOptions(['--model', 'ttf', '--source', 'csv:x.csv', '--run-to-failure', '--window', '30'], quiet).windowLength,
    ).toBe(30);
    expect(o.fractions).toEqual({ train: 0.85, validation: 0.15, test: 0 });
    expect(o.trainer.steps).toBeGreaterThan(0);
    // The ensemble size is the model's default (TTF_MLP_DEFAULTS.members) unless --members names one.
    expect(o.ttfMembers).toBeUndefined();
    expect(
      runOptions(['--model', 'ttf', '--source', 'csv:x.csv', '--run-to-failure', '--members', '3'], quiet).ttfMembers,
    ).toBe(3);
    // Simulator sources keep their own defaults.
    const sim = runOptions(['--model', 'ttf'], quiet);
    expect(sim.maxEntities).toBe(48);
    expect(sim.ttfCapSteps).toBe(360);
    expect(sim.trainer.steps).toBeUndefined();
    expect(sim.windowLength).toBe(30);
  });

  it('an explicit --epochs means epochs, unless --steps is given too', () => {
    expect(
      runOptions(['--model', 'anomaly', '--source', 'csv:x.csv', '--epochs', '3'], quiet).trainer.steps,
    ).toBeUndefined();
    const both = runOptions(['--model', 'anomaly', '--source', 'csv:x.csv', '--epochs', '3', '--steps', '9'], quiet);
    expect(both.trainer).toMatchObject({ epochs: 3, steps: 9 });
  });

  it('reads --step-ms, --timezone and --detection into the source and family options', () => {
    const o = runOptions(
      [
        '--model',
        'anomaly',
        '--source',
        'csv:x.csv',
        '--step-ms',
        '60000',
        '--timezone',
        'Europe/Paris',
        '--detection',
        'threshold',
      ],
      quiet,
    );
    expect(o.source).toMatchObject({ options: { stepMs: 60_000, timeZone: 'Europe/Paris' } });
    expect(o.detection).toBe('threshold');
  });

  it('--help lists every per-family default', async () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    try {
      expect(await main(['--help'])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const help = out.join('');
    for (const fam of ['anomaly', 'fault', 'ttf', 'throughput'])
      expect(help).toMatch(new RegExp(`\\n  ${fam} +window \\d+, epochs \\d+`));
    expect(help).toMatch(/max-devices 48/);
    expect(help).toMatch(
      /csv: window 50, epochs 150 \(sized by 10000 steps\), batch 256, patience 15, .*max-devices all, ttf-cap 125, architecture mlp/,
    );
  });
});

describe('train CLI end to end (tiny)', () => {
  const tiny = [
    '--source',
    'sim',
    '--gpus',
    '8',
    '--hours',
    '8',
    '--max-devices',
    '3',
    '--window',
    '6',
    '--stride',
    '20',
  ];
  const common = [
    '--units',
    '3',
    '--epochs',
    '1',
    '--out',
    '',
    '--progress',
    'none',
    '--backend',
    'cpu',
    '--seed',
    '3',
  ];

  /** CLI arguments of a tiny training run of `family`, version v1, into `out`. */
  function tinyArgs(family: string, extra: string[] = []): string[] {
    const args = ['--model', family, ...tiny, ...common, '--version', 'v1', ...extra];
    args[args.indexOf('--out') + 1] = out;
    return args;
  }

  async function trainTiny(family: string, extra: string[] = []): Promise<ModelMetadata> {
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await main(tinyArgs(family, extra))).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const name = extra.includes('--name') ? extra[extra.indexOf('--name') + 1] : family;
    return JSON.parse(await readFile(path.join(out, name, 'v1', 'model.json'), 'utf8')) as ModelMetadata;
  }

  it('trains the anomaly detector and writes tfjs, metadata, history and ONNX; refuses the same version', async () => {
    const meta = await trainTiny('anomaly', ['--latent', '2']);
    const dir = path.join(out, 'anomaly', 'v1');
    expect((await readdir(dir)).sort()).toEqual(['history.json', 'model.json', 'model.onnx', 'tfjs']);
    expect(meta.family).toBe('anomaly');
    expect(meta.features).toContain('delta:ecc_sbe_volatile');
    expect(meta.scaler.mean).toHaveLength(meta.features.length);
    expect(meta.threshold?.value).toBeGreaterThan(0);
    expect(meta.source.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(meta.training).toMatchObject({ backend: 'cpu', seed: 3 });
    expect(meta.onnx?.outputs).toEqual(['reconstruction']);
    expect(meta.scoreWeights).toHaveLength(meta.features.length);
    const { model } = await loadTrainedModel(dir);
    expect(model.layers[0].outputShape).toEqual([null, 2]); // --latent reached the encoder

    const again = await exitOf(tinyArgs('anomaly', ['--latent', '2']));
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/CONFLICT/);
  });

  it('trains the fault predictor with its horizon and a validation-chosen threshold', async () => {
    const meta = await trainTiny('fault', ['--horizon', '30']);
    expect(meta).toMatchObject({ family: 'fault', horizonSteps: 30, outputs: ['fault_probability'] });
    expect(meta.metrics.trainPositives).toBeGreaterThan(0);
    expect(meta.threshold?.value).toBeGreaterThan(0);
    expect(meta.threshold?.value).toBeLessThan(1);
  });

  it('trains the ttf regressor with its cap and the throughput MLP with log target and categories', async () => {
    const ttf = await trainTiny('ttf', ['--ttf-cap', '60']);
    expect(ttf).toMatchObject({ family: 'ttf', ttfCapSteps: 60, outputs: ['ttf_fraction'] });
    const tp = await trainTiny('throughput');
    expect(tp).toMatchObject({ family: 'throughput', targetTransform: 'log', windowLength: 1 });
    expect(tp.categories?.gpu_model.length).toBeGreaterThan(0);
    expect(tp.features[0]).toBe(`gpu_model=${tp.categories?.gpu_model[0]}`);
    expect(tp.targetScaler?.mean).toHaveLength(1);
    expect(tp.metrics.valMapePct).toBeGreaterThan(0);
  });

  it('trains on any CSV schema: every column becomes a feature; run-to-failure feeds the TTF target', async () => {
    const anomaly = await trainTiny('anomaly', [
      '--source',
      'csv:datasets/samples/univariate_anomalies.csv',
      '--name',
      'csv-a',
    ]);
    expect(anomaly.features).toEqual(['sensor_a']);
    expect(anomaly.source.kind).toBe('csv:datasets/samples/univariate_anomalies.csv');
    const ttf = await trainTiny('ttf', [
      '--source',
      'csv:datasets/samples/run_to_failure.csv',
      '--run-to-failure',
      '--ttf-cap',
      '50',
      '--name',
      'csv-t',
    ]);
    expect(ttf.features.length).toBeGreaterThan(1);
    expect(ttf.metrics.trainWindows).toBeGreaterThan(0);
  });
});
