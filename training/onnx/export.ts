/**
 * TensorFlow.js LayersModel → ONNX ModelProto, in TypeScript (no Python converter).
 *
 * Format: IR version 8, default-domain opset 17 (ONNX 1.12; ONNX Runtime 1.30 runs it on every execution
 * provider; 17 is the first opset with LayerNormalization). Float32 weights are initializers in raw_data.
 *
 * Inputs and outputs:
 *  - one model input → graph input `input`; several → `input`, `input_1`, ... in `model.inputs` order.
 *  - each model output → a graph output named after the layer that produces it (`model.outputs[i]`'s source
 *    layer name, `_1`, `_2`... if repeated), so name the output layers (e.g. `score`, `ttf`) when building.
 *  - dimension 0 is symbolic `batch`; other unknown dimensions are `<value>_dim<i>`; known ones are fixed.
 *  - metadata_props: name, version, features (JSON array), inputs and outputs (JSON arrays of graph names),
 *    opset, plus meta.extra; producer_name `fleetsense`.
 *
 * Op mapping (tfjs layer → ONNX), each matching tfjs inference exactly:
 *  - Dense → MatMul + Add (+ activation); TimeDistributed(Dense|activation|dropout|norm) → the same on 3-D.
 *  - activations → Relu, Tanh, Sigmoid, HardSigmoid(0.2, 0.5), Softmax/LogSoftmax(axis -1), Elu(1), Selu,
 *    Softplus, Softsign, Clip (relu6), and small compositions for swish, mish, gelu, gelu_new.
 *  - LSTM → Transpose [b,t,f]→[t,b,f], LSTM (gates reordered i,f,c,o → i,o,f,c; f = recurrentActivation,
 *    g = h = activation), then Squeeze(Y_h) for the last step or Squeeze(Y) + Transpose for sequences.
 *  - RepeatVector → Unsqueeze + Tile; Flatten → Flatten(axis 1); Reshape → Reshape([0, ...target]);
 *    Permute → Transpose; Concatenate → Concat; Add/Average/Maximum/Minimum/Multiply → Sum/Mean/Max/Min/Mul.
 *  - Dropout, SpatialDropout1D, GaussianNoise, GaussianDropout, AlphaDropout → Identity (training only).
 *  - BatchNormalization (last axis) → Sub, Mul, Add with folded scale; LayerNormalization (last axis) →
 *    LayerNormalization.
 * Anything else (Conv*, GRU, SimpleRNN, Bidirectional, Masking, Embedding, nested models, LSTM with
 * returnState/goBackwards/stateful, activations without an exact counterpart) throws AppError('INTERNAL')
 * with details.kind 'UNSUPPORTED_LAYER' and a message naming the layer class and layer name.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../src/errors.js';
import { type Dim, GraphBuilder, onnx, valueInfo } from './graph-builder.js';
import { type Shape, unsupported } from './layer-context.js';
import { CONVERTERS } from './layers/registry.js';

export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;
export const PRODUCER_NAME = 'fleetsense';

export interface OnnxExportMeta {
  readonly name: string;
  readonly version: string;
  readonly features: readonly string[];
  readonly extra?: Readonly<Record<string, string>>;
}

function dims(shape: Shape, valueName: string): Dim[] {
  return shape.map((d, i) => (d !== null ? d : i === 0 ? 'batch' : `${valueName}_dim${i}`));
}

/** Emits the layers that `outputs` depend on, inputs first; returns tfjs tensor id → ONNX value name. */
function convertGraph(g: GraphBuilder, model: tf.LayersModel, inputNames: readonly string[]): Map<number, string> {
  const values = new Map<number, string>();
  model.inputs.forEach((t, i) => {
    values.set(t.id, inputNames[i]);
  });

  const resolve = (t: tf.SymbolicTensor): string => {
    const known = values.get(t.id);
    if (known !== undefined) return known;
    const layer = t.sourceLayer;
    if (layer instanceof tf.LayersModel) throw unsupported(layer, 'nested models are not supported; flatten them');
    const node = layer.inboundNodes[t.nodeIndex];
    const converter = CONVERTERS[layer.getClassName()];
    if (!node || !converter) throw unsupported(layer, 'no ONNX converter for this layer class');
    const inputs = node.inputTensors.map(resolve);
    let outputs: string[];
    try {
      outputs = converter({ g, layer, inputs, inputShapes: node.inputTensors.map((x) => x.shape) });
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('INTERNAL', `ONNX export failed in ${layer.getClassName()} layer '${layer.name}'`, undefined, {
        cause: err,
      });
    }
    if (outputs.length !== node.outputTensors.length) throw unsupported(layer, `${outputs.length} outputs produced`);
    node.outputTensors.forEach((out, i) => {
      values.set(out.id, outputs[i]);
    });
    const value = values.get(t.id);
    if (value === undefined) throw unsupported(layer, 'output tensor not found on its node');
    return value;
  };
  for (const t of model.outputs) resolve(t);
  return values;
}

function metadata(meta: OnnxExportMeta, inputs: readonly string[], outputs: readonly string[]) {
  const own: Record<string, string> = {
    name: meta.name,
    version: meta.version,
    features: JSON.stringify(meta.features),
    inputs: JSON.stringify(inputs),
    outputs: JSON.stringify(outputs),
    opset: String(ONNX_OPSET),
  };
  for (const key of Object.keys(meta.extra ?? {})) {
    if (key in own) throw new AppError('INTERNAL', `ONNX export: metadata key '${key}' is reserved`);
  }
  return Object.entries({ ...own, ...meta.extra }).map(([key, value]) => ({ key, value }));
}

/** Converts a built tfjs LayersModel (Sequential or functional) to a serialized ONNX ModelProto. */
export function exportToOnnx(model: tf.LayersModel, meta: OnnxExportMeta): Uint8Array {
  if (!model.inputs?.length || !model.outputs?.length) {
    throw new AppError('INTERNAL', `ONNX export: model '${model.name}' is not built (no inputs/outputs)`);
  }
  for (const t of model.inputs) {
    if (t.dtype !== 'float32') throw unsupported(t.sourceLayer, `input dtype ${t.dtype} (only float32)`);
  }
  const g = new GraphBuilder();
  const inputNames = model.inputs.map((_, i) => g.reserve(i === 0 ? 'input' : `input_${i}`));
  // Reserved before any layer is converted, so internal values never take an output's name.
  const outputNames = model.outputs.map((t) => g.uniqueName(t.sourceLayer.name));
  const values = convertGraph(g, model, inputNames);

  // Graph outputs get their names through an Identity, so an output value can also feed other layers.
  model.outputs.forEach((t, i) => {
    g.nodeTo('Identity', [values.get(t.id) as string], [outputNames[i]], outputNames[i]);
  });

  const proto = onnx.ModelProto.create({
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: PRODUCER_NAME,
    docString: `${meta.name} ${meta.version}, exported from TensorFlow.js ${tf.version.tfjs}`,
    metadataProps: metadata(meta, inputNames, outputNames),
    graph: {
      name: meta.name,
      node: g.nodes,
      initializer: g.initializers,
      input: model.inputs.map((t, i) => valueInfo(inputNames[i], dims(t.shape, inputNames[i]))),
      output: model.outputs.map((t, i) => valueInfo(outputNames[i], dims(t.shape, outputNames[i]))),
    },
  });
  return onnx.ModelProto.encode(proto).finish();
}

/** exportToOnnx, written to `file` (parent folders created); returns the bytes written. */
export async function writeOnnx(model: tf.LayersModel, meta: OnnxExportMeta, file: string): Promise<Uint8Array> {
  // exportToOnnx reads weights with dataSync, which the WebGPU backend cannot do in Node (it needs OffscreenCanvas);
  // an async read first caches every weight on the CPU, so the sync reads then succeed on any backend.
  await Promise.all(model.weights.map((w) => w.read().data()));
  const bytes = exportToOnnx(model, meta);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, bytes);
  return bytes;
}
