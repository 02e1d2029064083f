import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppError } from '../src/errors.js';
import type { ModelMetadata } from '../src/features/model-metadata.js';
import { fitScaler } from '../src/features/scaler.js';
import { loadTrainedModel, saveTrainedModel, timestampVersion } from './artifacts.js';
import { buildAnomalyDetector } from './models/anomaly.js';

let root: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(path.join(os.tmpdir(), 'fleetsense-artifacts-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function metadata(version: string): ModelMetadata {
  return {
    name: 'anomaly-test',
    version,
    family: 'anomaly',
    createdAt: new Date(0).toISOString(),
    features: ['gpu_temp_c', 'delta:ecc_sbe_volatile'],
    scaler: fitScaler([50, 0, 60, 2, 70, 1], 2),
    windowLength: 4,
    stride: 2,
    samplePeriodMs: 10_000,
    outputs: ['reconstruction'],
    threshold: { value: 0.5, method: 'percentile', params: { q: 0.99 } },
    source: { kind: 'sim', rows: 6, sha256: 'ab'.repeat(32) },
    metrics: { valLoss: 0.1 },
    training: {
      backend: 'cpu',
      device: 'cpu x2',
      epochs: 1,
      bestEpoch: 1,
      seconds: 0.1,
      seed: 1,
      hyperparameters: { units: 3 },
    },
  };
}

describe('artifacts', () => {
  it('formats timestamp versions', () => {
    expect(timestampVersion(new Date('2026-11-28T06:15:00.123Z'))).toBe('20261128T061500Z');
  });

  it('round-trips the network, scaler and metadata, and exports ONNX', async () => {
    const model = buildAnomalyDetector({ windowLength: 4, features: 2, units: 3, seed: 9 });
    const { dir, meta } = await saveTrainedModel(model, metadata('v1'), { root, history: { loss: [1], valLoss: [2] } });
    expect((await readdir(dir)).sort()).toEqual(['history.json', 'model.json', 'model.onnx', 'tfjs']);
    expect(meta.onnx).toMatchObject({ file: 'model.onnx', input: 'input', outputs: ['reconstruction'] });

    const loaded = await loadTrainedModel(dir);
    expect(loaded.meta).toEqual(meta);
    expect(loaded.meta.scaler).toEqual(metadata('v1').scaler);
    const x = tf.randomNormal([2, 4, 2], 0, 1, 'float32', 3);
    const before = (model.predict(x) as tf.Tensor).dataSync();
    const after = (loaded.model.predict(x) as tf.Tensor).dataSync();
    expect(Array.from(after)).toEqual(Array.from(before));
    expect(JSON.parse(await readFile(path.join(dir, 'history.json'), 'utf8'))).toEqual({ loss: [1], valLoss: [2] });
  });

  it('never overwrites an existing version', async () => {
    const model = buildAnomalyDetector({ windowLength: 4, features: 2, units: 3 });
    await saveTrainedModel(model, metadata('v2'), { root, onnx: false });
    const first = await readFile(path.join(root, 'anomaly-test', 'v2', 'tfjs', 'weights.bin'));
    const err = (await saveTrainedModel(
      buildAnomalyDetector({ windowLength: 4, features: 2, units: 3, seed: 5 }),
      metadata('v2'),
      {
        root,
        onnx: false,
      },
    ).catch((e: unknown) => e)) as AppError;
    expect(err.code).toBe('CONFLICT');
    expect(await readFile(path.join(root, 'anomaly-test', 'v2', 'tfjs', 'weights.bin'))).toEqual(first);
    expect((await readdir(path.join(root, 'anomaly-test'))).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('rejects names that would escape the models folder', async () => {
    const model = buildAnomalyDetector({ windowLength: 4, features: 2, units: 3 });
    const err = (await saveTrainedModel(model, metadata('../x'), { root }).catch((e: unknown) => e)) as AppError;
    expect(err.code).toBe('VALIDATION_FAILED');
  });
});
