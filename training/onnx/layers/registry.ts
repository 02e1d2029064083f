/**
 * tfjs layer class name → converter. A class missing here is refused by the exporter with its name.
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerContext, LayerConverter } from '../layer-context.js';
import { unsupported } from '../layer-context.js';
import { convertActivation, convertDense, convertLeakyReLU, convertReLU, convertSoftmaxLayer } from './dense.js';
import { convertLstm } from './lstm.js';
import { convertBatchNormalization, convertLayerNormalization } from './normalization.js';
import {
  convertConcatenate,
  convertFlatten,
  convertIdentity,
  convertMerge,
  convertPermute,
  convertRepeatVector,
  convertReshape,
} from './structural.js';

/** Converters that act on the last axis only, so applying them to [batch, time, F] equals TimeDistributed. */
const LAST_AXIS: Record<string, LayerConverter> = {
  Dense: convertDense,
  Activation: convertActivation,
  ReLU: convertReLU,
  LeakyReLU: convertLeakyReLU,
  Dropout: convertIdentity,
  GaussianNoise: convertIdentity,
  GaussianDropout: convertIdentity,
  AlphaDropout: convertIdentity,
  BatchNormalization: convertBatchNormalization,
  LayerNormalization: convertLayerNormalization,
};

/** tfjs reshapes to [batch*time, ...], applies the inner layer and reshapes back; for last-axis layers the
 *  reshapes cancel out, so the inner converter runs on the 3-D value directly. */
function convertTimeDistributed(ctx: LayerContext): string[] {
  const inner = 'layer' in ctx.layer ? ctx.layer.layer : undefined;
  if (!(inner instanceof tf.layers.Layer)) throw unsupported(ctx.layer, 'no wrapped layer');
  const convert = LAST_AXIS[inner.getClassName()];
  if (!convert) throw unsupported(ctx.layer, `wraps ${inner.getClassName()} layer '${inner.name}'`);
  // The inner layer saw (and was built for) [batch*time, ...rest].
  const inputShapes = ctx.inputShapes.map((s) => [null, ...s.slice(2)]);
  return convert({ ...ctx, layer: inner, inputShapes });
}

export const CONVERTERS: Readonly<Record<string, LayerConverter>> = {
  ...LAST_AXIS,
  SpatialDropout1D: convertIdentity,
  Softmax: convertSoftmaxLayer,
  LSTM: convertLstm,
  TimeDistributed: convertTimeDistributed,
  Flatten: convertFlatten,
  Reshape: convertReshape,
  Permute: convertPermute,
  RepeatVector: convertRepeatVector,
  Concatenate: convertConcatenate,
  Add: convertMerge,
  Average: convertMerge,
  Maximum: convertMerge,
  Minimum: convertMerge,
  Multiply: convertMerge,
};
