/**
 * The exported ModelProto's envelope (opset, producer, metadata, input/output names and dims), writeOnnx, and
 * the refusals: a layer or option that cannot be converted exactly must fail loudly, naming the layer.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LSTMLayerArgs } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { exportToOnnx, ONNX_OPSET, writeOnnx } from './export.js';
import { onnx } from './graph-builder.js';
import { compareWithOnnx, randomizeWeights, uniformInput, useTestBackend } from './parity-harness.js';

const meta = { name: 'anomaly', version: '2026-11-28.1', features: ['gpu_temp', 'power_usage'], extra: { T: '30' } };
let dir: string;

beforeAll(async () => {
  await useTestBackend();
  dir = await mkdtemp(join(tmpdir(), 'onnx-export-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function twoHeaded(): tf.LayersModel {
  const input = tf.input({ shape: [10, 3] });
  const trunk = tf.layers.lstm({ units: 4 }).apply(input) as tf.SymbolicTensor;
  const prob = tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'fault_probability' }).apply(trunk);
  const ttf = tf.layers.dense({ units: 1, name: 'ttf' }).apply(trunk);
  return tf.model({ inputs: input, outputs: [prob, ttf] as tf.SymbolicTensor[] });
}

function expectUnsupported(fn: () => unknown, ...mentions: string[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(AppError);
  const err = caught as AppError;
  expect(err.code).toBe('INTERNAL');
  expect(err.details).toMatchObject({ kind: 'UNSUPPORTED_LAYER' });
  for (const m of mentions) expect(err.message).toContain(m);
}

describe('exportToOnnx envelope', () => {
  it('records opset, producer, metadata and names inputs/outputs as documented', () => {
    const model = twoHeaded();
    const proto = onnx.ModelProto.decode(exportToOnnx(model, meta));
    expect(proto.producerName).toBe('fleetsense');
    expect(proto.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', ONNX_OPSET]]);
    const props = Object.fromEntries(proto.metadataProps.map((p) => [p.key, p.value]));
    expect(props).toMatchObject({ name: 'anomaly', version: '2026-11-28.1', T: '30' });
    expect(JSON.parse(props.features)).toEqual(meta.features);
    expect(JSON.parse(props.outputs)).toEqual(['fault_probability', 'ttf']);

    const graph = proto.graph;
    expect(graph?.input?.map((i) => i.name)).toEqual(['input']);
    const inDims = graph?.input?.[0].type?.tensorType?.shape?.dim?.map((d) => d.dimParam || Number(d.dimValue));
    expect(inDims).toEqual(['batch', 10, 3]);
    expect(graph?.output?.map((o) => o.name)).toEqual(['fault_probability', 'ttf']);
    expect(graph?.node?.some((n) => n.opType === 'LSTM')).toBe(true);
  });

  it('refuses metadata that would overwrite its own keys', () => {
    const model = twoHeaded();
    expect(() => exportToOnnx(model, { ...meta, extra: { features: '[]' } })).toThrow(/reserved/);
  });

  it('writeOnnx writes a file that ONNX Runtime loads by path', async () => {
    const file = join(dir, 'anomaly', 'v1', 'model.onnx');
    const bytes = await writeOnnx(twoHeaded(), meta, file);
    const session = await ort.InferenceSession.create(file, { executionProviders: ['cpu'] });
    expect(session.inputNames).toEqual(['input']);
    expect(session.outputNames).toEqual(['fault_probability', 'ttf']);
    const out = await session.run({ input: new ort.Tensor('float32', new Float32Array(2 * 30), [2, 10, 3]) });
    expect(out.ttf.dims).toEqual([2, 1]);
    expect(bytes.byteLength).toBeGreaterThan(100);
    await session.release();
  });
});

describe('exportToOnnx model sources', () => {
  it('a model saved and reloaded by tfjs exports with the same results', async () => {
    const original = tf.sequential({
      layers: [
        tf.layers.inputLayer({ inputShape: [8, 3] }),
        tf.layers.lstm({ units: 5, returnSequences: true }),
        tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2 }) }),
      ],
    });
    randomizeWeights(original, 3);
    let artifacts: tf.io.ModelArtifacts | undefined;
    await original.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const reloaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts));
    const input = uniformInput([4, 8, 3], 5);
    const before = tf.tidy(() => (original.predict(tf.tensor(input, [4, 8, 3])) as tf.Tensor).dataSync());
    const { maxAbsDiff } = await compareWithOnnx(reloaded, input, [4, 8, 3]);
    expect(maxAbsDiff[0]).toBeLessThan(1e-4);
    const after = tf.tidy(() => (reloaded.predict(tf.tensor(input, [4, 8, 3])) as tf.Tensor).dataSync());
    expect(Array.from(after)).toEqual(Array.from(before));
  });

  it('several inputs become input, input_1, ... in model.inputs order', async () => {
    const a = tf.input({ shape: [3] });
    const b = tf.input({ shape: [2] });
    const joined = tf.layers.concatenate().apply([a, b]) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 1, name: 'score' }).apply(joined) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [a, b], outputs: out });
    randomizeWeights(model, 9);
    const session = await ort.InferenceSession.create(exportToOnnx(model, meta));
    expect(session.inputNames).toEqual(['input', 'input_1']);
    const xa = uniformInput([2, 3], 1);
    const xb = uniformInput([2, 2], 2);
    const result = await session.run({
      input: new ort.Tensor('float32', xa, [2, 3]),
      input_1: new ort.Tensor('float32', xb, [2, 2]),
    });
    const expected = tf.tidy(() =>
      (model.predict([tf.tensor(xa, [2, 3]), tf.tensor(xb, [2, 2])]) as tf.Tensor).dataSync(),
    );
    const got = result.score.data as Float32Array;
    for (let i = 0; i < expected.length; i++) expect(Math.abs(got[i] - expected[i])).toBeLessThan(1e-4);
    await session.release();
  });
});

describe('exportToOnnx refusals', () => {
  it('an unsupported layer class names the class and the layer', () => {
    const conv = tf.sequential({
      layers: [tf.layers.conv1d({ filters: 2, kernelSize: 3, inputShape: [10, 2], name: 'my_conv' })],
    });
    expectUnsupported(() => exportToOnnx(conv, meta), 'Conv1D', "'my_conv'");
    const gru = tf.sequential({ layers: [tf.layers.gru({ units: 3, inputShape: [5, 2], name: 'my_gru' })] });
    expectUnsupported(() => exportToOnnx(gru, meta), 'GRU', "'my_gru'");
  });

  it('LSTM options without an exact ONNX form are refused', () => {
    const lstm = (args: Partial<LSTMLayerArgs>) =>
      tf.sequential({ layers: [tf.layers.lstm({ units: 3, inputShape: [5, 2], name: 'enc', ...args })] });
    expectUnsupported(() => exportToOnnx(lstm({ goBackwards: true }), meta), 'LSTM', "'enc'", 'goBackwards');
    expectUnsupported(() => exportToOnnx(lstm({ activation: 'linear' }), meta), "'enc'", 'linear');
    expectUnsupported(() => exportToOnnx(lstm({ recurrentActivation: 'selu' }), meta), 'recurrentActivation');
  });

  it('TimeDistributed over a layer that is not last-axis-only is refused', () => {
    const td = tf.sequential({
      layers: [tf.layers.timeDistributed({ layer: tf.layers.repeatVector({ n: 2 }), inputShape: [4, 3], name: 'td' })],
    });
    expectUnsupported(() => exportToOnnx(td, meta), 'TimeDistributed', "'td'", 'RepeatVector');
  });

  it('a nested model is refused rather than inlined wrongly', () => {
    const inner = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })], name: 'inner' });
    const input = tf.input({ shape: [3] });
    const outer = tf.model({ inputs: input, outputs: inner.apply(input) as tf.SymbolicTensor });
    expectUnsupported(() => exportToOnnx(outer, meta), "'inner'", 'nested');
  });
});
