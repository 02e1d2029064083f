import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ModelMetadata } from '../../src/features/model-metadata.js';
import type { Predictor } from './predictor.js';
import { scoreJobsCsv } from './score-jobs.js';

/** A stand-in network: predicts scaled log-throughput = log(batch_size), read back from its scaled input. */
function stubPredictor(): Predictor & { seen: number[] } {
  const meta = {
    family: 'throughput',
    features: ['gpu_model=H100', 'log:batch_size'],
    scaler: { kind: 'standard', mean: [0, 0], scale: [1, 1] },
    targetScaler: { kind: 'standard', mean: [0], scale: [1] },
    targetTransform: 'log',
  } as unknown as ModelMetadata;
  const seen: number[] = [];
  return {
    kind: 'onnx',
    meta,
    seen,
    predict: async (input, count) => {
      seen.push(count);
      return Float32Array.from({ length: count }, (_, i) => input[i * 2 + 1]);
    },
    close: async () => {},
  };
}

describe('scoreJobsCsv', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'jobs-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('adds predicted throughput to scorable rows and counts the rows it had to skip', async () => {
    const csv = path.join(dir, 'jobs.csv');
    await writeFile(csv, 'job_id,gpu_model,batch_size\nj1,H100,64\nj2,"A100, SXM",\nj3,H100,8\n');
    const p = stubPredictor();
    const summary = await scoreJobsCsv(p, csv, dir);
    expect(summary).toEqual({ rows: 3, scored: 2, skipped: 1, missing: { batch_size: 1 } });
    expect(p.seen).toEqual([2]);
    const lines = (await readFile(path.join(dir, 'scores.csv'), 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('job_id,gpu_model,batch_size,predicted_throughput');
    expect(Number(lines[1].split(',').at(-1))).toBeCloseTo(64, 3);
    expect(lines[2]).toBe('j2,"A100, SXM",,');
    expect(Number(lines[3].split(',').at(-1))).toBeCloseTo(8, 3);
  });

  it('names the input columns the CSV lacks', async () => {
    const csv = path.join(dir, 'bad.csv');
    await writeFile(csv, 'job_id,gpu_model\nj1,H100\n');
    await expect(scoreJobsCsv(stubPredictor(), csv, dir)).rejects.toThrow(
      'CSV lacks column(s) batch_size; columns present: job_id, gpu_model',
    );
  });
});
