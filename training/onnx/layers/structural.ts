/**
 * Layers that move, copy or combine values without weights: training-only noise (identity at inference),
 * Flatten, Reshape, Permute, RepeatVector, Concatenate and the element-wise merges.
 * Shapes follow tfjs: the batch axis is axis 0 and configs count axes including it (Concatenate) or not
 * (Reshape targetShape, Permute dims are 1-based over the non-batch axes).
 */
import { config, type LayerContext, onlyInput, unsupported } from '../layer-context.js';

/** Dropout and noise layers only act while training; a served model sees the identity. */
export function convertIdentity(ctx: LayerContext): string[] {
  return [ctx.g.op('Identity', [onlyInput(ctx)], ctx.layer.name)];
}

export function convertFlatten(ctx: LayerContext): string[] {
  const x = onlyInput(ctx);
  // channelsFirst makes tfjs permute before flattening; not used by the product's models.
  if (config(ctx.layer).dataFormat === 'channelsFirst' && ctx.inputShapes[0].length > 2) {
    throw unsupported(ctx.layer, 'dataFormat=channelsFirst');
  }
  return [ctx.g.op('Flatten', [x], ctx.layer.name, { axis: { int: 1 } })];
}

export function convertReshape(ctx: LayerContext): string[] {
  // tfjs records the inferred dimension (-1) as null in its config.
  const raw = config(ctx.layer).targetShape;
  const target = Array.isArray(raw) ? raw.map((d) => (d === null ? -1 : d)) : [];
  if (target.length === 0 || !target.every((d) => Number.isInteger(d)) || target.filter((d) => d === -1).length > 1) {
    throw unsupported(ctx.layer, `targetShape ${JSON.stringify(raw)}`);
  }
  // 0 copies the batch dimension from the input (allowzero is left at its default, 0).
  const shape = ctx.g.int64Tensor(`${ctx.layer.name}/shape`, [0, ...target]);
  return [ctx.g.op('Reshape', [onlyInput(ctx), shape], ctx.layer.name)];
}

export function convertPermute(ctx: LayerContext): string[] {
  const dims = config(ctx.layer).dims;
  if (!Array.isArray(dims) || !dims.every((d) => Number.isInteger(d))) {
    throw unsupported(ctx.layer, `dims ${JSON.stringify(dims)}`);
  }
  return [ctx.g.op('Transpose', [onlyInput(ctx)], ctx.layer.name, { perm: { ints: [0, ...dims] } })];
}

/** [batch, F] → [batch, n, F]. */
export function convertRepeatVector(ctx: LayerContext): string[] {
  const { g, layer } = ctx;
  const n = config(layer).n;
  if (typeof n !== 'number' || ctx.inputShapes[0].length !== 2) {
    throw unsupported(layer, `n=${String(n)} on input shape [${ctx.inputShapes[0]}]`);
  }
  const expanded = g.op(
    'Unsqueeze',
    [onlyInput(ctx), g.int64Tensor(`${layer.name}/axis1`, [1])],
    `${layer.name}/unsqueeze`,
  );
  return [g.op('Tile', [expanded, g.int64Tensor(`${layer.name}/repeats`, [1, n, 1])], layer.name)];
}

export function convertConcatenate(ctx: LayerContext): string[] {
  const axis = config(ctx.layer).axis ?? -1;
  if (typeof axis !== 'number') throw unsupported(ctx.layer, `axis ${JSON.stringify(axis)}`);
  return [ctx.g.op('Concat', [...ctx.inputs], ctx.layer.name, { axis: { int: axis } })];
}

/** tfjs merge class → ONNX op. Sum, Mean, Max and Min are variadic; Mul is binary and chained. */
const MERGE_OPS: Record<string, string> = {
  Add: 'Sum',
  Average: 'Mean',
  Maximum: 'Max',
  Minimum: 'Min',
  Multiply: 'Mul',
};

export function convertMerge(ctx: LayerContext): string[] {
  const { g, layer, inputs } = ctx;
  const op = MERGE_OPS[layer.getClassName()];
  const rank = ctx.inputShapes[0].length;
  // tfjs reshapes inputs of unequal rank before merging; that path is not reproduced here.
  if (!op || inputs.length < 2 || ctx.inputShapes.some((s) => s.length !== rank)) {
    throw unsupported(layer, `merge of ${inputs.length} inputs with shapes ${JSON.stringify(ctx.inputShapes)}`);
  }
  if (op !== 'Mul') return [g.op(op, [...inputs], layer.name)];
  let acc = inputs[0];
  for (let i = 1; i < inputs.length; i++)
    acc = g.op('Mul', [acc, inputs[i]], i === inputs.length - 1 ? layer.name : `${layer.name}/mul`);
  return [acc];
}
