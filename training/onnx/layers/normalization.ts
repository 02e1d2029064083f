/**
 * BatchNormalization (inference form, moving statistics) and LayerNormalization, both over the last axis only:
 * that is the tfjs default and the only form the product uses. ONNX BatchNormalization normalises axis 1, so
 * batch norm is written as (x - mean) * (gamma / sqrt(var + eps)) + beta with last-axis broadcasting instead;
 * the scale is computed in float64 and rounded once.
 */
import { config, type LayerContext, onlyInput, requireWeight, unsupported, weight } from '../layer-context.js';

function isLastAxis(axis: unknown, rank: number): boolean {
  const a = Array.isArray(axis) && axis.length === 1 ? axis[0] : axis;
  return a === -1 || a === rank - 1;
}

export function convertBatchNormalization(ctx: LayerContext): string[] {
  const { g, layer } = ctx;
  const c = config(layer);
  const rank = ctx.inputShapes[0].length;
  if (!isLastAxis(c.axis, rank)) throw unsupported(layer, `axis ${JSON.stringify(c.axis)} (only the last axis)`);
  const epsilon = typeof c.epsilon === 'number' ? c.epsilon : 1e-3;
  const mean = requireWeight(layer, 'moving_mean');
  const variance = requireWeight(layer, 'moving_variance');
  const gamma = weight(layer, 'gamma');
  const beta = weight(layer, 'beta');
  const scale = variance.data.map((v, i) => (gamma ? gamma.data[i] : 1) / Math.sqrt(v + epsilon));

  const x = onlyInput(ctx);
  const centred = g.op('Sub', [x, g.floatTensor(`${layer.name}/mean`, mean.data, mean.shape)], `${layer.name}/centred`);
  const scaled = g.op(
    'Mul',
    [centred, g.floatTensor(`${layer.name}/scale`, scale, mean.shape)],
    `${layer.name}/scaled`,
  );
  if (!beta) return [scaled];
  return [g.op('Add', [scaled, g.floatTensor(`${layer.name}/beta`, beta.data, beta.shape)], layer.name)];
}

export function convertLayerNormalization(ctx: LayerContext): string[] {
  const { g, layer } = ctx;
  const c = config(layer);
  const rank = ctx.inputShapes[0].length;
  const size = ctx.inputShapes[0].at(-1);
  if (!isLastAxis(c.axis, rank) || typeof size !== 'number') {
    throw unsupported(
      layer,
      `axis ${JSON.stringify(c.axis)} on shape [${ctx.inputShapes[0]}] (only a fixed last axis)`,
    );
  }
  const epsilon = typeof c.epsilon === 'number' ? c.epsilon : 1e-3;
  const gamma = weight(layer, 'gamma')?.data ?? new Float32Array(size).fill(1);
  const beta = weight(layer, 'beta')?.data ?? new Float32Array(size);
  const inputs = [
    onlyInput(ctx),
    g.floatTensor(`${layer.name}/gamma`, gamma, [size]),
    g.floatTensor(`${layer.name}/beta`, beta, [size]),
  ];
  return [g.op('LayerNormalization', inputs, layer.name, { axis: { int: -1 }, epsilon: { float: epsilon } })];
}
