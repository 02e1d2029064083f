/**
 * Dense and the activation-only layers. Dense is MatMul(x, kernel) + bias over the last axis, which is what
 * tfjs does for any input rank, so the same conversion serves 2-D inputs and TimeDistributed 3-D inputs.
 */
import { emitActivation } from '../activations.js';
import { config, type LayerContext, onlyInput, requireWeight, unsupported, weight } from '../layer-context.js';

function activationOf(ctx: LayerContext, x: string, activation: unknown): string {
  const name = typeof activation === 'string' ? activation : 'linear';
  const y = emitActivation(ctx.g, name, x, ctx.layer.name);
  if (y === undefined) throw unsupported(ctx.layer, `activation '${name}'`);
  return y;
}

export function convertDense(ctx: LayerContext): string[] {
  const { g, layer } = ctx;
  const x = onlyInput(ctx);
  const kernel = requireWeight(layer, 'kernel');
  const lastDim = ctx.inputShapes[0].at(-1);
  if (kernel.shape.length !== 2 || (lastDim !== null && lastDim !== kernel.shape[0])) {
    throw unsupported(layer, `kernel shape [${kernel.shape}] does not fit input shape [${ctx.inputShapes[0]}]`);
  }
  let y = g.op('MatMul', [x, g.floatTensor(`${layer.name}/kernel`, kernel.data, kernel.shape)], `${layer.name}/matmul`);
  const bias = weight(layer, 'bias');
  if (bias) y = g.op('Add', [y, g.floatTensor(`${layer.name}/bias`, bias.data, bias.shape)], `${layer.name}/bias_add`);
  return [activationOf(ctx, y, config(layer).activation)];
}

export function convertActivation(ctx: LayerContext): string[] {
  const x = onlyInput(ctx);
  const y = activationOf(ctx, x, config(ctx.layer).activation);
  // A linear Activation layer must still produce a value of its own, or two tfjs tensors would share one name.
  return [y === x ? ctx.g.op('Identity', [x], ctx.layer.name) : y];
}

/** tf.layers.reLU: relu, optionally clipped at maxValue. */
export function convertReLU(ctx: LayerContext): string[] {
  const { g, layer } = ctx;
  const x = onlyInput(ctx);
  const maxValue = config(layer).maxValue;
  if (typeof maxValue !== 'number') return [g.op('Relu', [x], layer.name)];
  const lo = g.floatTensor(`${layer.name}/min`, [0], []);
  return [g.op('Clip', [x, lo, g.floatTensor(`${layer.name}/max`, [maxValue], [])], layer.name)];
}

export function convertLeakyReLU(ctx: LayerContext): string[] {
  const alpha = config(ctx.layer).alpha;
  if (typeof alpha !== 'number') throw unsupported(ctx.layer, 'alpha is not a number');
  return [ctx.g.op('LeakyRelu', [onlyInput(ctx)], ctx.layer.name, { alpha: { float: alpha } })];
}

/** tf.layers.softmax over a single axis (tfjs' multi-axis form is refused). */
export function convertSoftmaxLayer(ctx: LayerContext): string[] {
  const raw = config(ctx.layer).axis;
  const axis = Array.isArray(raw) && raw.length === 1 ? raw[0] : raw;
  if (typeof axis !== 'number') throw unsupported(ctx.layer, `softmax over axes ${JSON.stringify(raw)}`);
  return [ctx.g.op('Softmax', [onlyInput(ctx)], ctx.layer.name, { axis: { int: axis } })];
}
