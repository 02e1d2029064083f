/**
 * tfjs activation names → ONNX ops, each matching tfjs-layers' own definition (activations.ts there):
 * hardSigmoid is clip(0.2x + 0.5, 0, 1); elu uses alpha 1; selu uses tfjs-core's constants; softmax and
 * logSoftmax act on the last axis; gelu is the erf form, gelu_new the tanh approximation.
 * Anything else is refused, never approximated.
 */
import type { GraphBuilder } from './graph-builder.js';

// tfjs-core selu_util.ts: SELU_SCALEALPHA = alpha * scale, SELU_SCALE = scale.
const SELU_SCALE = 1.0507009873554805;
const SELU_ALPHA = 1.7580993408473768 / SELU_SCALE;

type Emit = (g: GraphBuilder, x: string, base: string) => string;

const EMITTERS: Record<string, Emit> = {
  linear: (_g, x) => x,
  relu: (g, x, b) => g.op('Relu', [x], b),
  relu6: (g, x, b) => g.op('Clip', [x, g.floatTensor(`${b}/min`, [0], []), g.floatTensor(`${b}/max`, [6], [])], b),
  tanh: (g, x, b) => g.op('Tanh', [x], b),
  sigmoid: (g, x, b) => g.op('Sigmoid', [x], b),
  hardSigmoid: (g, x, b) => g.op('HardSigmoid', [x], b, { alpha: { float: 0.2 }, beta: { float: 0.5 } }),
  softmax: (g, x, b) => g.op('Softmax', [x], b, { axis: { int: -1 } }),
  logSoftmax: (g, x, b) => g.op('LogSoftmax', [x], b, { axis: { int: -1 } }),
  elu: (g, x, b) => g.op('Elu', [x], b, { alpha: { float: 1 } }),
  selu: (g, x, b) => g.op('Selu', [x], b, { alpha: { float: SELU_ALPHA }, gamma: { float: SELU_SCALE } }),
  softplus: (g, x, b) => g.op('Softplus', [x], b),
  softsign: (g, x, b) => g.op('Softsign', [x], b),
  swish: (g, x, b) => g.op('Mul', [x, g.op('Sigmoid', [x], `${b}/sigmoid`)], b),
  mish: (g, x, b) => g.op('Mul', [x, g.op('Tanh', [g.op('Softplus', [x], `${b}/softplus`)], `${b}/tanh`)], b),
  gelu: (g, x, b) => {
    // x * 0.5 * (1 + erf(x / sqrt(2)))
    const erf = g.op(
      'Erf',
      [g.op('Div', [x, g.floatTensor(`${b}/sqrt2`, [Math.SQRT2], [])], `${b}/scaled`)],
      `${b}/erf`,
    );
    const onePlus = g.op('Add', [erf, g.floatTensor(`${b}/one`, [1], [])], `${b}/one_plus`);
    return g.op('Mul', [x, g.op('Mul', [onePlus, g.floatTensor(`${b}/half`, [0.5], [])], `${b}/cdf`)], b);
  },
  gelu_new: (g, x, b) => {
    // 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))
    const c = (name: string, v: number) => g.floatTensor(`${b}/${name}`, [v], []);
    const cube = g.op('Pow', [x, c('three', 3)], `${b}/cube`);
    const inner = g.op('Add', [x, g.op('Mul', [cube, c('k', 0.044715)], `${b}/k_cube`)], `${b}/inner`);
    const t = g.op('Tanh', [g.op('Mul', [inner, c('s', Math.sqrt(2 / Math.PI))], `${b}/scaled`)], `${b}/tanh`);
    const onePlus = g.op('Add', [t, c('one', 1)], `${b}/one_plus`);
    return g.op('Mul', [g.op('Mul', [x, c('half', 0.5)], `${b}/half_x`), onePlus], b);
  },
};

export const SUPPORTED_ACTIVATIONS: readonly string[] = Object.keys(EMITTERS);

/** Emits `activation(x)`; returns undefined when the activation is not supported (the caller names the layer). */
export function emitActivation(g: GraphBuilder, activation: string, x: string, base: string): string | undefined {
  const emit = EMITTERS[activation];
  return emit ? emit(g, x, `${base}/${activation}`) : undefined;
}

/** An ONNX RNN activation (name plus the alpha/beta it consumes, in order), as ONNX Runtime's LSTM reads them. */
export interface RnnActivation {
  readonly name: string;
  readonly alpha?: number;
  readonly beta?: number;
}

// Only functions ONNX Runtime's LSTM kernel implements (rnn_helpers.cc), with parameters that make them equal
// to the tfjs definitions. linear has no exact RNN counterpart ('Affine' is not implemented by every runtime).
const RNN_ACTIVATIONS: Record<string, RnnActivation> = {
  sigmoid: { name: 'Sigmoid' },
  tanh: { name: 'Tanh' },
  relu: { name: 'Relu' },
  hardSigmoid: { name: 'HardSigmoid', alpha: 0.2, beta: 0.5 },
  elu: { name: 'Elu', alpha: 1 },
  softsign: { name: 'Softsign' },
  softplus: { name: 'Softplus' },
};

export function rnnActivation(activation: string): RnnActivation | undefined {
  return RNN_ACTIVATIONS[activation];
}
