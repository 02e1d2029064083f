/**
 * tfjs LSTM → ONNX LSTM (forward, one direction).
 *
 * Gate order: tfjs packs kernel [in, 4H], recurrent kernel [H, 4H] and bias [4H] as i, f, c, o; ONNX wants
 * W [1, 4H, in], R [1, 4H, H] (rows, i.e. transposed) and B [1, 8H] = Wb ++ Rb, all as i, o, f, c. tfjs has
 * one bias, so it goes to Wb and Rb is zero.
 * Activations: ONNX f (gates) = tfjs recurrentActivation; g (cell input) and h (cell output) = tfjs activation.
 * Layout: ONNX Runtime's CPU LSTM only takes layout=0, X [seq, batch, in], so the input is transposed from
 * tfjs' [batch, seq, in]. Outputs: Y [seq, 1, batch, H] → Squeeze(1) → Transpose → [batch, seq, H] for
 * returnSequences; Y_h [1, batch, H] → Squeeze(0) → [batch, H] otherwise (Y_h is the last step's output).
 * Initial states are zero (ONNX default), as in a non-stateful tfjs LSTM.
 */
import { type RnnActivation, rnnActivation } from '../activations.js';
import { config, type LayerContext, onlyInput, requireWeight, unsupported, weight } from '../layer-context.js';

/** For each ONNX gate position (i, o, f, c), the tfjs gate block it comes from (tfjs order i, f, c, o). */
const TF_GATE_FOR_ONNX = [0, 3, 1, 2] as const;

/** tfjs [rows, 4H] matrix → ONNX [4H, rows] with gate blocks reordered. */
function gatesTransposed(src: Float32Array, rows: number, hidden: number): Float32Array {
  const cols = 4 * hidden;
  const out = new Float32Array(cols * rows);
  for (let gate = 0; gate < 4; gate++) {
    const from = TF_GATE_FOR_ONNX[gate] * hidden;
    for (let h = 0; h < hidden; h++) {
      for (let r = 0; r < rows; r++) out[(gate * hidden + h) * rows + r] = src[r * cols + from + h];
    }
  }
  return out;
}

function rnnActivationOf(ctx: LayerContext, key: 'activation' | 'recurrentActivation'): RnnActivation {
  const name = config(ctx.layer)[key];
  const act = typeof name === 'string' ? rnnActivation(name) : undefined;
  if (!act) throw unsupported(ctx.layer, `${key} '${String(name)}' has no exact ONNX LSTM counterpart`);
  return act;
}

function checkOptions(ctx: LayerContext): void {
  const c = config(ctx.layer);
  if (c.returnState) throw unsupported(ctx.layer, 'returnState=true');
  if (c.goBackwards) throw unsupported(ctx.layer, 'goBackwards=true');
  if (c.stateful) throw unsupported(ctx.layer, 'stateful=true');
  if (ctx.inputShapes[0].length !== 3) throw unsupported(ctx.layer, `input rank ${ctx.inputShapes[0].length} (want 3)`);
}

export function convertLstm(ctx: LayerContext): string[] {
  checkOptions(ctx);
  const { g, layer } = ctx;
  const base = layer.name;
  const x = onlyInput(ctx);
  const kernel = requireWeight(layer, 'kernel');
  const recurrent = requireWeight(layer, 'recurrent_kernel');
  const hidden = recurrent.shape[0];
  const inputSize = kernel.shape[0];
  if (kernel.shape[1] !== 4 * hidden || recurrent.shape[1] !== 4 * hidden) {
    throw unsupported(layer, `unexpected weight shapes ${kernel.shape} / ${recurrent.shape}`);
  }

  const W = g.floatTensor(`${base}/W`, gatesTransposed(kernel.data, inputSize, hidden), [1, 4 * hidden, inputSize]);
  const R = g.floatTensor(`${base}/R`, gatesTransposed(recurrent.data, hidden, hidden), [1, 4 * hidden, hidden]);
  const B = new Float32Array(8 * hidden); // Wb then Rb (zero)
  const bias = weight(layer, 'bias');
  if (bias) B.set(gatesTransposed(bias.data, 1, hidden));
  const Bname = g.floatTensor(`${base}/B`, B, [1, 8 * hidden]);

  const gate = rnnActivationOf(ctx, 'recurrentActivation');
  const cell = rnnActivationOf(ctx, 'activation');
  const acts = [gate, cell, cell];
  const alphas = acts.flatMap((a) => (a.alpha === undefined ? [] : [a.alpha]));
  const betas = acts.flatMap((a) => (a.beta === undefined ? [] : [a.beta]));

  const seqFirst = g.op('Transpose', [x], `${base}/to_seq_first`, { perm: { ints: [1, 0, 2] } });
  const returnSequences = config(layer).returnSequences === true;
  const Y = returnSequences ? g.uniqueName(`${base}/Y`) : '';
  const Yh = returnSequences ? '' : g.uniqueName(`${base}/Y_h`);
  // An empty name marks an output that is not produced; a trailing one is simply left out.
  g.nodeTo('LSTM', [seqFirst, W, R, Bname], returnSequences ? [Y] : ['', Yh], base, {
    hidden_size: { int: hidden },
    direction: { string: 'forward' },
    activations: { strings: acts.map((a) => a.name) },
    ...(alphas.length > 0 ? { activation_alpha: { floats: alphas } } : {}),
    ...(betas.length > 0 ? { activation_beta: { floats: betas } } : {}),
  });

  if (!returnSequences) {
    return [g.op('Squeeze', [Yh, g.int64Tensor(`${base}/axis0`, [0])], `${base}/last`)];
  }
  const squeezed = g.op('Squeeze', [Y, g.int64Tensor(`${base}/axis1`, [1])], `${base}/Y_squeezed`);
  return [g.op('Transpose', [squeezed], `${base}/sequences`, { perm: { ints: [1, 0, 2] } })];
}
