/**
 * What a layer converter receives and the helpers they share: reading a layer's weights by name and refusing
 * a layer (or a layer option) it cannot reproduce exactly. Refusing is always better than a subtly wrong model.
 */
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../src/errors.js';
import type { GraphBuilder } from './graph-builder.js';

export type Shape = readonly (number | null)[];

export interface LayerContext {
  readonly g: GraphBuilder;
  readonly layer: tf.layers.Layer;
  /** ONNX value names of the layer's inputs, in the order tfjs passes them to `call`. */
  readonly inputs: readonly string[];
  /** tfjs shapes of those inputs (batch dimension first, null where dynamic). */
  readonly inputShapes: readonly Shape[];
}

/** Converts one call of a layer; returns the ONNX value names of its outputs, in tfjs order. */
export type LayerConverter = (ctx: LayerContext) => string[];

/** The one error the exporter throws for anything it cannot convert exactly. */
export function unsupported(layer: tf.layers.Layer, reason: string): AppError {
  const layerClass = layer.getClassName();
  return new AppError('INTERNAL', `ONNX export: ${layerClass} layer '${layer.name}' is not supported: ${reason}`, {
    kind: 'UNSUPPORTED_LAYER',
    layerClass,
    layerName: layer.name,
    reason,
  });
}

export interface WeightValue {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

/**
 * The layer weight whose last name segment is `suffix` ('kernel', 'recurrent_kernel', 'bias', 'gamma', ...), or
 * undefined. Matching by name, not position, keeps trainable/non-trainable reordering from mixing weights up.
 */
export function weight(layer: tf.layers.Layer, suffix: string): WeightValue | undefined {
  const variables = layer.weights;
  const index = variables.findIndex((v) => v.originalName.split('/').pop() === suffix);
  if (index < 0) return undefined;
  const tensor = layer.getWeights()[index];
  if (tensor.dtype !== 'float32') throw unsupported(layer, `weight ${suffix} has dtype ${tensor.dtype}`);
  return { data: Float32Array.from(tensor.dataSync()), shape: tensor.shape };
}

export function requireWeight(layer: tf.layers.Layer, suffix: string): WeightValue {
  const w = weight(layer, suffix);
  if (!w) throw unsupported(layer, `weight '${suffix}' not found (is the model built?)`);
  return w;
}

/** The layer's serialized config, the public and stable way to read its options. */
export function config(layer: tf.layers.Layer): Record<string, unknown> {
  return layer.getConfig() as Record<string, unknown>;
}

export function onlyInput(ctx: LayerContext): string {
  if (ctx.inputs.length !== 1) throw unsupported(ctx.layer, `expected 1 input, got ${ctx.inputs.length}`);
  return ctx.inputs[0];
}
