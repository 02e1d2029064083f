/**
 * Score bench, one process driving three candidates on the same windows of the same LSTM autoencoder
 * (training/models/anomaly.ts, exported with training/onnx/export.ts):
 *   (a) raw onnxruntime-node InferenceSession.run, batch sizes 1..1024 (best reported),
 *   (b) TensorFlow.js model.predict on the best available backend (wasm here), same batch sizes,
 *   (c) POST /v1/score/anomaly under autocannon (concurrency 32) against the real app in a child process on
 *       127.0.0.1 (so the load generator does not share the server's event loop), with p50/p99 latency.
 * Targets: ORT/tfjs >= 10x, HTTP/raw >= 0.5 (windows/s), p99 < 50 ms.
 * Sizes (flags, see scripts/bench/sizes.ts): --score-seconds (per raw ORT / tfjs batch size), --score-http-seconds,
 * --score-windows-per-request (comma list: one HTTP row each).
 * HTTP runs first, before the tfjs backend starts in this process, so tfjs threads cannot steal its CPU.
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import autocannon from 'autocannon';
import * as ort from 'onnxruntime-node';
import { loadConfig } from '../../src/config.js';
import { testMetadata, writeModelDir } from '../../src/inference/testing/graph-models.js';
import { GPU_METRICS } from '../../src/telemetry/catalogue.js';
import { ensureBackend } from '../../training/backend.js';
import { buildAnomalyDetector } from '../../training/models/anomaly.js';
import { exportToOnnx } from '../../training/onnx/export.js';
import type { BenchContext, BenchReport } from './types.js';

const T = 30;
const FEATURES = GPU_METRICS.fields
  .filter((f) => f.type === 'double')
  .map((f) => f.name)
  .slice(0, 12);
const F = FEATURES.length;
const WINDOWS = 4096;
const BATCHES = [1, 16, 64, 256, 1024];
const CONNECTIONS = 32;
/** argv[2] of the forked HTTP server process (argv[3]: its models directory). */
const SERVE_MARK = '--bench-score-server';

/** Deterministic pseudo-telemetry, already scaled (what the model consumes). */
function makeWindows(): Float32Array {
  const x = new Float32Array(WINDOWS * T * F);
  let s = 12345;
  for (let i = 0; i < x.length; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    x[i] = (s / 0x7fffffff) * 2 - 1;
  }
  return x;
}

/** Run `step(batch)` over the windows for about `seconds`; returns windows per second. */
async function measure(
  seconds: number,
  batch: number,
  step: (offset: number, batch: number) => Promise<void>,
): Promise<number> {
  await step(0, batch); // warm this batch size
  let done = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000 || done === 0) {
    await step((done % WINDOWS) - ((done % WINDOWS) % batch), batch);
    done += batch;
  }
  return done / ((performance.now() - started) / 1000);
}

function sliceBatch(x: Float32Array, offset: number, batch: number): Float32Array {
  const start = Math.min(offset, WINDOWS - batch) * T * F;
  return x.subarray(start, start + batch * T * F);
}

/** The HTTP server, in a child process: the real app serving the exported model from `dir`. */
async function serve(dir: string): Promise<void> {
  const { buildApp } = await import('../../src/api/app.js');
  const config = loadConfig({
    ...process.env,
    MODELS_DIR: dir,
    API_ANONYMOUS_ROLE: 'reader',
    LOG_LEVEL: 'warn',
    API_RATE_LIMIT_PER_MINUTE: '100000000',
    API_RATE_LIMIT_PER_IP_PER_MINUTE: '100000000',
  });
  const app = await buildApp({ config, logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
  process.on('disconnect', () => void app.close().then(() => process.exit(0)));
}

async function startServer(dir: string): Promise<{ port: number; stop: () => void }> {
  const child = fork(fileURLToPath(import.meta.url), [SERVE_MARK, dir], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return { port, stop: () => child.disconnect() };
}

interface HttpResult {
  readonly perRequest: number;
  readonly windowsPerSecond: number;
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly kib: number;
}

/** autocannon against the child-process server, one run per windows-per-request setting. */
async function httpBench(
  x: Float32Array,
  bytes: Uint8Array,
  perRequest: readonly number[],
  seconds: number,
): Promise<HttpResult[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fleetsense-bench-score-'));
  // Inline windows are raw telemetry; an identity scaler makes them equal to the scaled windows above.
  const meta = testMetadata('bench-ae', 'v1', 'anomaly', {
    features: FEATURES,
    windowLength: T,
    outputs: ['reconstruction'],
    threshold: { value: 1, method: 'fixed', params: {} },
  });
  await writeModelDir(dir, meta, bytes);
  const server = await startServer(dir);
  const out: HttpResult[] = [];
  try {
    for (const per of perRequest) {
      const windows = Array.from({ length: per }, (_, w) =>
        Array.from({ length: T }, (_, t) =>
          Array.from(sliceBatch(x, w, 1).subarray(t * F, (t + 1) * F), (v) => Math.round(v * 1e4) / 1e4),
        ),
      );
      const body = JSON.stringify({ windows });
      const url = `http://127.0.0.1:${server.port}/v1/score/anomaly`;
      const opts = {
        url,
        method: 'POST' as const,
        headers: { 'content-type': 'application/json' },
        body,
        connections: CONNECTIONS,
      };
      await autocannon({ ...opts, duration: Math.min(2, seconds) }); // warm
      const res = await autocannon({ ...opts, duration: seconds });
      if (res.non2xx > 0 || res.errors > 0) throw new Error(`HTTP bench: ${res.non2xx} non-2xx, ${res.errors} errors`);
      out.push({
        perRequest: per,
        windowsPerSecond: res.requests.average * per,
        requestsPerSecond: res.requests.average,
        p50: res.latency.p50,
        p99: res.latency.p99,
        kib: body.length / 1024,
      });
      console.error(
        `HTTP ${per} windows/request: ${Math.round(res.requests.average * per)} windows/s, p99 ${res.latency.p99} ms`,
      );
    }
  } finally {
    server.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return out;
}

export async function run({ sizes }: BenchContext): Promise<BenchReport> {
  const seconds = sizes.scoreSeconds;
  const httpSeconds = sizes.scoreHttpSeconds;
  const load0 = os.loadavg()[0];
  const x = makeWindows();
  const model = buildAnomalyDetector({ windowLength: T, features: F });
  const bytes = exportToOnnx(model, { name: 'bench-ae', version: 'v1', features: FEATURES });
  const http = await httpBench(x, bytes, sizes.scoreWindowsPerRequest, httpSeconds);

  const backend = await ensureBackend();
  const intraOp = loadConfig().models.intraOpThreads;
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: intraOp,
  });

  // Parity first: the numbers below compare the same function.
  const probe = sliceBatch(x, 0, 16);
  const ortOut = (await session.run({ input: new ort.Tensor('float32', probe, [16, T, F]) }))[session.outputNames[0]]
    .data as Float32Array;
  const tfOut = tf.tidy(() => (model.predict(tf.tensor3d(probe, [16, T, F])) as tf.Tensor).dataSync());
  let maxDiff = 0;
  for (let i = 0; i < ortOut.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ortOut[i] - tfOut[i]));

  const rows: Array<Record<string, string | number>> = [];
  const best = { ort: 0, ortBatch: 0, tfjs: 0, tfjsBatch: 0 };
  for (const batch of BATCHES) {
    const ortRate = await measure(seconds, batch, async (offset, b) => {
      await session.run({ input: new ort.Tensor('float32', sliceBatch(x, offset, b), [b, T, F]) });
    });
    const tfRate = await measure(seconds, batch, async (offset, b) => {
      const out = tf.tidy(() => model.predict(tf.tensor3d(sliceBatch(x, offset, b), [b, T, F])) as tf.Tensor);
      await out.data();
      out.dispose();
    });
    if (ortRate > best.ort) Object.assign(best, { ort: ortRate, ortBatch: batch });
    if (tfRate > best.tfjs) Object.assign(best, { tfjs: tfRate, tfjsBatch: batch });
    rows.push({ candidate: 'raw ORT session.run', batch, 'windows/s': Math.round(ortRate) });
    rows.push({ candidate: `tfjs predict (${backend.name})`, batch, 'windows/s': Math.round(tfRate) });
    console.error(`batch ${batch}: ORT ${Math.round(ortRate)} windows/s, tfjs ${Math.round(tfRate)} windows/s`);
  }
  await session.release();
  for (const h of http) {
    rows.push({
      candidate: `HTTP /v1/score/anomaly, ${h.perRequest} window(s)/request, c=${CONNECTIONS}`,
      batch: 'micro-batched',
      'windows/s': Math.round(h.windowsPerSecond),
      'requests/s': Math.round(h.requestsPerSecond),
      'p50 ms': h.p50,
      'p99 ms': h.p99,
    });
  }
  const bestHttp = http.reduce((a, b) => (b.windowsPerSecond > a.windowsPerSecond ? b : a));
  const single = http[0];
  const cfg = loadConfig().models;
  return {
    suite: 'score',
    method:
      `LSTM autoencoder (units 32, T=${T}, F=${F}; training/models/anomaly.ts exported by training/onnx/export.ts), ${WINDOWS} ` +
      `fixed pseudo-random windows. Raw ORT: one CPU session in this process (graph optimisation all, sequential, intraOp ` +
      `${intraOp}); tfjs: the same model, backend ${backend.name} (${backend.device}); each batch size ~${seconds}s after one ` +
      `warm-up batch; ORT vs tfjs max abs output difference ${maxDiff.toExponential(2)}. HTTP (run first): the real app ` +
      `(buildApp) in a child process on 127.0.0.1 with the default inference config (workers ${cfg.inferenceWorkers}, max batch ` +
      `${cfg.maxBatch}, max wait ${cfg.maxBatchWaitMs} ms), autocannon ${CONNECTIONS} connections, ${httpSeconds}s after a ${Math.min(2, httpSeconds)}s ` +
      `warm-up, raw windows inline as JSON (${http.map((h) => `${h.perRequest}/request = ${h.kib.toFixed(1)} KiB`).join(', ')}). ` +
      `${os.cpus().length} CPU cores shared by the server, its inference worker and autocannon (and by other work on the ` +
      `machine: 1-min load average ${load0.toFixed(1)} at start, ${os.loadavg()[0].toFixed(1)} at end).`,
    rows,
    summary: {
      'ORT / tfjs (best batch each)': `${(best.ort / best.tfjs).toFixed(1)}x (target >= 10x; ORT best at batch ${best.ortBatch}, tfjs at ${best.tfjsBatch})`,
      'HTTP / raw ORT (windows/s)': `${(bestHttp.windowsPerSecond / best.ort).toFixed(2)} (target >= 0.5; HTTP best at ${bestHttp.perRequest} windows/request)`,
      [`HTTP p99 latency, ${single.perRequest} window(s)/request`]: `${single.p99} ms (target < 50 ms; p50 ${single.p50} ms)`,
    },
  };
}

if (process.argv[2] === SERVE_MARK && process.argv[3]) void serve(process.argv[3]);
