/**
 * Tiny ONNX graphs built directly with onnx-proto, for tests and benchmarks that need real ONNX Runtime sessions
 * before (or without) trained models. Each graph is small enough to reason about exactly: an "autoencoder" whose
 * reconstruction is `x + offset`, and linear heads with an optional sigmoid/relu. Not used by the running service.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import type { ModelFamily, ModelMetadata } from '../../features/model-metadata.js';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const OPSET = 13;

function valueInfo(name: string, dims: ReadonlyArray<number | string>): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

function floatTensor(name: string, dims: number[], values: ArrayLike<number>): onnxProto.onnx.ITensorProto {
  return { name, dims, dataType: FLOAT, floatData: Array.from(values) };
}

function encodeModel(graph: onnxProto.onnx.IGraphProto): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'fleetsense-test-graphs',
    opsetImport: [{ domain: '', version: OPSET }],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * Input `[batch, T, F]` → output `reconstruction` = input + offset (same shape). A per-feature offset (length F)
 * makes each feature's share of the reconstruction error known exactly: offset[f]² / Σ offset².
 */
export function offsetAutoencoder(windowLength: number, width: number, offset: number | readonly number[]): Uint8Array {
  const values = typeof offset === 'number' ? [offset] : offset;
  return encodeModel({
    name: 'offset_autoencoder',
    node: [{ opType: 'Add', input: ['input', 'offset'], output: ['reconstruction'], name: 'add' }],
    initializer: [floatTensor('offset', [values.length], values)],
    input: [valueInfo('input', ['batch', windowLength, width])],
    output: [valueInfo('reconstruction', ['batch', windowLength, width])],
  });
}

/**
 * Input `[batch, T, F]` → output `reconstruction` = input × factor. With factor 0 a window's score is the mean of
 * its squared scaled inputs, so scores follow the data (a spike scores high), which a detector test needs.
 */
export function scaleAutoencoder(windowLength: number, width: number, factor: number): Uint8Array {
  return encodeModel({
    name: 'scale_autoencoder',
    node: [{ opType: 'Mul', input: ['input', 'factor'], output: ['reconstruction'], name: 'mul' }],
    initializer: [floatTensor('factor', [1], [factor])],
    input: [valueInfo('input', ['batch', windowLength, width])],
    output: [valueInfo('reconstruction', ['batch', windowLength, width])],
  });
}

/**
 * An autoencoder that works for a batch of one (it loads and warms) but fails inside ONNX Runtime for larger
 * batches (a broadcast mismatch at run time): for testing how inference failures surface.
 */
export function failsAboveOneRow(windowLength: number, width: number): Uint8Array {
  const size = windowLength * width;
  const INT64 = onnx.TensorProto.DataType.INT64;
  return encodeModel({
    name: 'fails_above_one_row',
    node: [
      { opType: 'Reshape', input: ['input', 'flat_shape'], output: ['flat'], name: 'flatten' },
      { opType: 'Add', input: ['flat', 'zeros'], output: ['sum'], name: 'add' },
      { opType: 'Reshape', input: ['sum', 'out_shape'], output: ['reconstruction'], name: 'unflatten' },
    ],
    initializer: [
      { name: 'flat_shape', dims: [2], dataType: INT64, int64Data: [1, -1] },
      { name: 'out_shape', dims: [3], dataType: INT64, int64Data: [-1, windowLength, width] },
      floatTensor('zeros', [1, size], new Array(size).fill(0)),
    ],
    input: [valueInfo('input', ['batch', windowLength, width])],
    output: [valueInfo('reconstruction', ['batch', windowLength, width])],
  });
}

export type HeadActivation = 'none' | 'sigmoid' | 'relu';

/**
 * Input `[batch, ...inner]` → flatten → one output per name: `x·w + b` (then the activation), each `[batch, 1]`.
 * `weights[k]` has `prod(inner)` entries.
 */
export function linearHeads(
  inner: readonly number[],
  heads: ReadonlyArray<{ name: string; weights: ArrayLike<number>; bias: number; activation: HeadActivation }>,
): Uint8Array {
  const size = inner.reduce((a, b) => a * b, 1);
  const nodes: onnxProto.onnx.INodeProto[] = [
    {
      opType: 'Flatten',
      input: ['input'],
      output: ['flat'],
      name: 'flatten',
      attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }],
    },
  ];
  const inits: onnxProto.onnx.ITensorProto[] = [];
  for (const h of heads) {
    if (h.weights.length !== size) throw new Error(`head ${h.name}: ${h.weights.length} weights for ${size} inputs`);
    inits.push(floatTensor(`${h.name}_w`, [size, 1], h.weights), floatTensor(`${h.name}_b`, [1], [h.bias]));
    const linear = h.activation === 'none' ? h.name : `${h.name}_linear`;
    nodes.push({
      opType: 'MatMul',
      input: ['flat', `${h.name}_w`],
      output: [`${h.name}_mm`],
      name: `${h.name}_matmul`,
    });
    nodes.push({ opType: 'Add', input: [`${h.name}_mm`, `${h.name}_b`], output: [linear], name: `${h.name}_add` });
    if (h.activation === 'sigmoid')
      nodes.push({ opType: 'Sigmoid', input: [linear], output: [h.name], name: `${h.name}_act` });
    if (h.activation === 'relu')
      nodes.push({ opType: 'Relu', input: [linear], output: [h.name], name: `${h.name}_act` });
  }
  return encodeModel({
    name: 'linear_heads',
    node: nodes,
    initializer: inits,
    input: [valueInfo('input', ['batch', ...inner])],
    output: heads.map((h) => valueInfo(h.name, ['batch', 1])),
  });
}

/** A plausible model.json for a test graph; callers override what their test is about. */
export function testMetadata(
  name: string,
  version: string,
  family: ModelFamily,
  over: Partial<ModelMetadata> & Pick<ModelMetadata, 'features' | 'windowLength' | 'outputs'>,
): ModelMetadata {
  const width = over.features.length;
  return {
    name,
    version,
    family,
    createdAt: new Date(0).toISOString(),
    scaler: { kind: 'standard', mean: new Array(width).fill(0), scale: new Array(width).fill(1) },
    stride: 1,
    samplePeriodMs: 10_000,
    source: { kind: 'test', rows: 0, sha256: '' },
    metrics: {},
    training: { backend: 'none', device: 'none', epochs: 0, bestEpoch: 0, seconds: 0, seed: 0, hyperparameters: {} },
    onnx: { file: 'model.onnx', input: 'input', outputs: over.outputs, opset: OPSET },
    ...over,
  };
}

/** Write `<dir>/<name>/<version>/{model.json,model.onnx}` as training would. */
export async function writeModelDir(dir: string, meta: ModelMetadata, bytes: Uint8Array): Promise<string> {
  const versionDir = path.join(dir, meta.name, meta.version);
  await mkdir(versionDir, { recursive: true });
  await writeFile(path.join(versionDir, meta.onnx?.file ?? 'model.onnx'), bytes);
  await writeFile(path.join(versionDir, 'model.json'), `${JSON.stringify(meta, null, 2)}\n`);
  return versionDir;
}
