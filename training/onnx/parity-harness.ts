/**
 * Test support for exporter parity: seeded weights and inputs, and a side-by-side run of tfjs `predict` and
 * onnxruntime-node (CPU execution provider) on the exported bytes. Used by the unit and parity tests.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-node';
import { mulberry32 } from '../datasets/random.js';
import { exportToOnnx, type OnnxExportMeta } from './export.js';

/** wasm when it initialises (no native addon needed), else the pure-JS cpu backend. */
export async function useTestBackend(): Promise<string> {
  try {
    if (await tf.setBackend('wasm')) return tf.getBackend();
  } catch {
    // fall through to cpu
  }
  await tf.setBackend('cpu');
  return tf.getBackend();
}

/** Seeded test weights and inputs: the same mulberry32 that training uses for shuffling. */
export const seededRandom = mulberry32;

/** Replaces every weight with seeded values: biases non-zero so gate reordering is exercised; variances > 0. */
export function randomizeWeights(model: tf.LayersModel, seed: number, scale = 0.5): void {
  const rand = seededRandom(seed);
  for (const layer of model.layers) {
    const current = layer.getWeights();
    const values = layer.weights.map((w, i) => {
      const positive = w.originalName.endsWith('variance');
      const data = Float32Array.from({ length: current[i].size }, () =>
        positive ? 0.5 + rand() : (2 * rand() - 1) * scale,
      );
      return tf.tensor(data, current[i].shape);
    });
    if (values.length > 0) layer.setWeights(values);
    for (const v of values) v.dispose();
  }
}

export function uniformInput(shape: readonly number[], seed: number, range = 2): Float32Array {
  const rand = seededRandom(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: size }, () => (2 * rand() - 1) * range);
}

/**
 * Telemetry-like windows [batch, T, F] in scaled units: per-feature level and daily-ish cycle, a load step
 * part way through, small noise, and on every fourth window a fault-like spike and drift on one feature.
 */
export function realisticWindows(batch: number, T: number, F: number, seed: number): Float32Array {
  const rand = seededRandom(seed);
  const out = new Float32Array(batch * T * F);
  for (let b = 0; b < batch; b++) {
    const step = Math.floor(T * (0.3 + 0.4 * rand()));
    const faulty = b % 4 === 3 ? Math.floor(rand() * F) : -1;
    for (let f = 0; f < F; f++) {
      const level = 2 * rand() - 1;
      const amp = 0.3 + 0.7 * rand();
      const phase = 2 * Math.PI * rand();
      for (let t = 0; t < T; t++) {
        let v = level + amp * Math.sin(phase + (2 * Math.PI * t) / T) + (t >= step ? 0.8 : 0) + 0.05 * (rand() - 0.5);
        if (f === faulty) v += (t === step ? 6 : 0) + (3 * t) / T;
        out[(b * T + t) * F + f] = v;
      }
    }
  }
  return out;
}

export interface ParityResult {
  /** Max |tfjs − onnx| per model output, in graph output order. */
  readonly maxAbsDiff: number[];
  readonly outputNames: readonly string[];
  readonly onnxBytes: number;
}

export async function compareWithOnnx(
  model: tf.LayersModel,
  input: Float32Array,
  shape: readonly number[],
  meta: OnnxExportMeta = { name: 'parity', version: 'test', features: [] },
): Promise<ParityResult> {
  const bytes = exportToOnnx(model, meta);
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  try {
    const result = await session.run({ input: new ort.Tensor('float32', input, [...shape]) });
    const expected = tf.tidy(() => {
      const y = model.predict(tf.tensor(input, [...shape]));
      return (Array.isArray(y) ? y : [y]).map((t) => ({ shape: t.shape, data: t.dataSync() as Float32Array }));
    });
    const maxAbsDiff = session.outputNames.map((name, i) => {
      const actual = result[name];
      if (actual.dims.join() !== expected[i].shape.join()) {
        throw new Error(`output ${name}: onnx dims [${actual.dims}] vs tfjs [${expected[i].shape}]`);
      }
      const data = actual.data as Float32Array;
      let max = 0;
      for (let j = 0; j < data.length; j++) max = Math.max(max, Math.abs(data[j] - expected[i].data[j]));
      return max;
    });
    return { maxAbsDiff, outputNames: session.outputNames, onnxBytes: bytes.byteLength };
  } finally {
    await session.release();
  }
}
