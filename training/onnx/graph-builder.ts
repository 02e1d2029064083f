/**
 * A small, append-only builder for an ONNX GraphProto: unique value names, float/int64 initializers and nodes.
 * Layer converters only talk to this class, so they never touch protobuf types or the encoding.
 */
import onnxProto from 'onnx-proto';

export const { onnx } = onnxProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;
type AttributeProto = onnxProto.onnx.IAttributeProto;
type ValueInfoProto = onnxProto.onnx.IValueInfoProto;

/** An attribute value, tagged so that ints and floats (both JS numbers) are encoded with the right ONNX type. */
export type Attr =
  | { int: number }
  | { float: number }
  | { ints: readonly number[] }
  | { floats: readonly number[] }
  | { string: string }
  | { strings: readonly string[] };

/** A tensor dimension: a fixed size, or a symbolic name such as 'batch'. */
export type Dim = number | string;

const utf8 = new TextEncoder();
const AttrType = onnx.AttributeProto.AttributeType;

function toAttribute(name: string, a: Attr): AttributeProto {
  if ('int' in a) return { name, type: AttrType.INT, i: a.int };
  if ('float' in a) return { name, type: AttrType.FLOAT, f: a.float };
  if ('ints' in a) return { name, type: AttrType.INTS, ints: [...a.ints] };
  if ('floats' in a) return { name, type: AttrType.FLOATS, floats: [...a.floats] };
  if ('string' in a) return { name, type: AttrType.STRING, s: utf8.encode(a.string) };
  return { name, type: AttrType.STRINGS, strings: a.strings.map((s) => utf8.encode(s)) };
}

/** Little-endian bytes of a typed array, copied (raw_data is little-endian by the ONNX spec; so is Node on x64/arm64). */
function rawBytes(view: Float32Array | BigInt64Array): Uint8Array {
  return new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}

export function valueInfo(name: string, dims: readonly Dim[]): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly used = new Set<string>();

  /** A value name not used before: `base`, else `base_1`, `base_2`, ... */
  uniqueName(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Reserves an exact name (graph inputs and outputs), failing loudly on a clash rather than renaming it. */
  reserve(name: string): string {
    if (this.used.has(name)) throw new Error(`ONNX value name '${name}' is already used`);
    this.used.add(name);
    return name;
  }

  floatTensor(base: string, data: Float32Array | readonly number[], dims: readonly number[]): string {
    const values = data instanceof Float32Array ? data : Float32Array.from(data);
    const size = dims.reduce((a, b) => a * b, 1);
    if (values.length !== size) throw new Error(`initializer ${base}: ${values.length} values for dims [${dims}]`);
    const name = this.uniqueName(base);
    this.initializers.push({
      name,
      dims: [...dims],
      dataType: onnx.TensorProto.DataType.FLOAT,
      rawData: rawBytes(values),
    });
    return name;
  }

  int64Tensor(base: string, data: readonly number[], dims: readonly number[] = [data.length]): string {
    const name = this.uniqueName(base);
    const values = BigInt64Array.from(data.map((v) => BigInt(v)));
    this.initializers.push({
      name,
      dims: [...dims],
      dataType: onnx.TensorProto.DataType.INT64,
      rawData: rawBytes(values),
    });
    return name;
  }

  /** Adds a node with `outputCount` fresh outputs named after `base`; returns the output names. */
  node(
    opType: string,
    inputs: readonly string[],
    base: string,
    attrs: Record<string, Attr> = {},
    outputCount = 1,
  ): string[] {
    const outputs = Array.from({ length: outputCount }, (_, i) =>
      this.uniqueName(outputCount === 1 ? base : `${base}_${i}`),
    );
    this.nodeTo(opType, inputs, outputs, base, attrs);
    return outputs;
  }

  /** Single-output convenience over node(). */
  op(opType: string, inputs: readonly string[], base: string, attrs: Record<string, Attr> = {}): string {
    return this.node(opType, inputs, base, attrs, 1)[0];
  }

  /** Adds a node writing to outputs that the caller already named (e.g. graph outputs, or '' for unused ones). */
  nodeTo(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    base: string,
    attrs: Record<string, Attr> = {},
  ) {
    this.nodes.push({
      opType,
      name: this.uniqueName(`${base}/${opType}`),
      input: [...inputs],
      output: [...outputs],
      attribute: Object.entries(attrs).map(([k, v]) => toAttribute(k, v)),
    });
  }
}
