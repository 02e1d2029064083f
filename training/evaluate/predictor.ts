/**
 * Runs a trained model on prepared inputs. Prefers ONNX Runtime on model.onnx (what serving runs, so evaluation
 * measures the deployed network) and falls back to the tfjs artefact when there is no ONNX file.
 * Inputs are batched so a long CSV does not become one huge tensor.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { AppError } from '../../src/errors.js';
import type { ModelMetadata } from '../../src/features/model-metadata.js';
import { loadTrainedModel, readMetadata } from '../artifacts.js';

export interface Predictor {
  readonly kind: 'onnx' | 'tfjs';
  readonly meta: ModelMetadata;
  /**
   * Run on `count` examples laid out row-major in `input` (each `input.length / count` values, shaped
   * [windowLength, features] or [features]); returns the first output, flattened, `count × outputSize`.
   */
  predict(input: Float32Array, count: number): Promise<Float32Array>;
  close(): Promise<void>;
}

const BATCH = 1024;

/** Example shape after the batch dimension: [T, F] for window models, [F] for tabular ones. */
function exampleShape(meta: ModelMetadata): number[] {
  return meta.family === 'throughput' ? [meta.features.length] : [meta.windowLength, meta.features.length];
}

async function batched(
  input: Float32Array,
  count: number,
  run: (chunk: Float32Array, n: number) => Promise<Float32Array>,
): Promise<Float32Array> {
  if (count === 0) return new Float32Array(0);
  const size = input.length / count;
  const parts: Float32Array[] = [];
  for (let start = 0; start < count; start += BATCH) {
    const n = Math.min(BATCH, count - start);
    parts.push(await run(input.subarray(start * size, (start + n) * size), n));
  }
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

async function onnxPredictor(dir: string, meta: ModelMetadata, file: string): Promise<Predictor> {
  const session = await ort.InferenceSession.create(file, { executionProviders: ['cpu'] });
  const input = meta.onnx?.input ?? session.inputNames[0];
  const output = meta.onnx?.outputs[0] ?? session.outputNames[0];
  const shape = exampleShape(meta);
  return {
    kind: 'onnx',
    meta,
    predict: (data, count) =>
      batched(data, count, async (chunk, n) => {
        const res = await session.run({ [input]: new ort.Tensor('float32', chunk, [n, ...shape]) });
        const t = res[output];
        if (!t) throw new AppError('INFERENCE_FAILED', `model in ${dir} has no output "${output}"`);
        return Float32Array.from(t.data as Float32Array);
      }),
    close: () => session.release(),
  };
}

async function tfjsPredictor(dir: string): Promise<Predictor> {
  const tf = await import('@tensorflow/tfjs');
  const { model, meta } = await loadTrainedModel(dir);
  const shape = exampleShape(meta);
  return {
    kind: 'tfjs',
    meta,
    predict: (data, count) =>
      batched(data, count, async (chunk, n) => {
        const x = tf.tensor(chunk, [n, ...shape]);
        const y = model.predict(x);
        const first = Array.isArray(y) ? y[0] : y;
        const out = (await first.data()) as Float32Array;
        x.dispose();
        for (const t of Array.isArray(y) ? y : [y]) t.dispose();
        return Float32Array.from(out);
      }),
    close: async () => {
      model.dispose();
    },
  };
}

/** Open the model in `dir` (models/<name>/<version>): ONNX when model.onnx exists, tfjs otherwise, or as forced. */
export async function loadPredictor(dir: string, prefer: 'onnx' | 'tfjs' | 'auto' = 'auto'): Promise<Predictor> {
  const meta = await readMetadata(dir);
  const file = path.join(dir, meta.onnx?.file ?? 'model.onnx');
  const hasOnnx = await stat(file).then(
    () => true,
    () => false,
  );
  if (prefer === 'onnx' && !hasOnnx) throw new AppError('MODEL_NOT_FOUND', `no ONNX file ${file}`, { dir });
  return hasOnnx && prefer !== 'tfjs' ? onnxPredictor(dir, meta, file) : tfjsPredictor(dir);
}
