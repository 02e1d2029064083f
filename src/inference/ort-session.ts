/**
 * The ONNX Runtime adapter: open one session with tuned options on the best provider that works, warm it with a
 * zero batch of one, and run it. Used inside session workers only (session.run blocks its thread).
 */
import * as ort from 'onnxruntime-node';
import { AppError } from '../errors.js';
import { createWithFallback, ortBindingDir, ortUnavailableReason, type ProviderChoice } from './execution-providers.js';
import type { LoadedSession, SessionOptionsMessage, TensorMessage } from './worker-protocol.js';

export interface OpenedSession {
  readonly session: ort.InferenceSession;
  readonly info: LoadedSession;
}

function sessionOptions(ep: string, opts: SessionOptionsMessage): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [ep],
    graphOptimizationLevel: 'all',
    // One request batch at a time per session; parallelism comes from workers and intra-op threads.
    executionMode: 'sequential',
    intraOpNumThreads: opts.intraOpThreads,
    interOpNumThreads: 1,
  };
}

export async function openSession(
  modelPath: string,
  providers: readonly string[],
  opts: SessionOptionsMessage,
): Promise<OpenedSession> {
  const started = performance.now();
  const supported = ort.listSupportedBackends();
  const bindingDir = ortBindingDir();
  const choice: ProviderChoice<ort.InferenceSession> = await createWithFallback(providers, {
    unavailableReason: (ep) => ortUnavailableReason(ep, supported, bindingDir),
    create: (ep) => ort.InferenceSession.create(modelPath, sessionOptions(ep, opts)),
  });
  const { session } = choice;
  const input = session.inputMetadata[0];
  if (!input?.isTensor || input.type !== 'float32') {
    await session.release();
    throw new AppError('INFERENCE_FAILED', `model ${modelPath} must take one float32 tensor input`);
  }
  // Warm: the first run allocates and plans; pay it at load, not on the first request.
  const warmDims = input.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
  await session.run({
    [input.name]: new ort.Tensor('float32', new Float32Array(warmDims.reduce((a, b) => a * b, 1)), warmDims),
  });
  return {
    session,
    info: {
      ep: choice.ep,
      failures: choice.failures,
      inputName: input.name,
      inputShape: input.shape,
      outputNames: [...session.outputNames],
      loadMs: performance.now() - started,
    },
  };
}

/** Run one batch; outputs are copied out only when ONNX Runtime hands back a view into a larger buffer. */
export async function runSession(opened: OpenedSession, input: TensorMessage): Promise<Record<string, TensorMessage>> {
  const tensor = new ort.Tensor('float32', new Float32Array(input.data), [...input.dims]);
  const result = await opened.session.run({ [opened.info.inputName]: tensor });
  const outputs: Record<string, TensorMessage> = {};
  for (const name of opened.info.outputNames) {
    const t = result[name];
    if (t.type !== 'float32') throw new AppError('INFERENCE_FAILED', `output ${name} is ${t.type}, expected float32`);
    const data = t.data as Float32Array;
    const own = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
    outputs[name] = { data: own ? (data.buffer as ArrayBuffer) : data.slice().buffer, dims: [...t.dims] };
  }
  return outputs;
}
