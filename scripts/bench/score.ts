/**
 * Score bench, one process driving three candidates on the same windows of the same LSTM autoencoder
 * (training/models/anomaly.ts, exported with training/onnx/export.ts):
 *   (a) raw onnxruntime-node InferenceSession.run, batch sizes 1..1024 (best reported),
 *   (b) TensorFlow.js model.predict on the best available backend (wasm here), same batch sizes,
 *   (c) POST /v1/score/anomaly under autocannon (concurrency 32, in a process of its own: load-generator.ts)
 *       against the real app in another child process on 127.0.0.1, the same windows as JSON and in the binary
 *       format, with p50/p99 latency and the CPU share of the load generator and of the server.
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
import * as ort from 'onnxruntime-node';
import { loadConfig } from '../../src/config.js';
import { testMetadata, writeModelDir } from '../../src/inference/testing/graph-models.js';
import { GPU_METRICS } from '../../src/telemetry/catalogue.js';
import { ensureBackend } from '../../training/backend.js';
import { buildAnomalyDetector } from '../../training/models/anomaly.js';
import { exportToOnnx } from '../../training/onnx/export.js';
import { runLoad } from './load-generator.js';
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
  // The bench asks for the server's CPU time (main thread and inference workers together) around each run.
  process.on('message', (m) => {
    if (m === 'cpu') process.send?.({ cpu: process.cpuUsage() });
  });
  // process.exit would skip writing a --cpu-prof profile; a closed app with nothing left lets the process end.
  process.on('disconnect', () => void app.close());
}

interface Server {
  readonly port: number;
  /** CPU seconds the server process has used so far. */
  cpuSeconds(): Promise<number>;
  stop(): void;
}

async function startServer(dir: string): Promise<Server> {
  // BENCH_CPU_PROF_DIR: profile the server (each thread writes its .cpuprofile there; profile-summary.ts reads one).
  const prof = process.env.BENCH_CPU_PROF_DIR;
  const child = fork(fileURLToPath(import.meta.url), [SERVE_MARK, dir], {
    execArgv: ['--import', 'tsx', ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [])],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  const cpuSeconds = () =>
    new Promise<number>((resolve) => {
      child.once('message', (m: { cpu: NodeJS.CpuUsage }) => resolve((m.cpu.user + m.cpu.system) / 1e6));
      child.send('cpu');
    });
  return { port, cpuSeconds, stop: () => child.disconnect() };
}

type Format = 'json' | 'binary';

interface HttpResult {
  readonly format: Format;
  readonly perRequest: number;
  readonly windowsPerSecond: number;
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly kib: number;
  readonly loadCpuShare: number;
  readonly serverCpuShare: number;
}

/**
 * One request body of `per` windows in each format: JSON carries the values rounded to 4 decimals (short text, as
 * a client would send), the binary body the same values as float32.
 */
function requestBody(
  x: Float32Array,
  per: number,
  format: Format,
): { body: string | Uint8Array; headers: Record<string, string> } {
  const rounded = Array.from(sliceBatch(x, 0, per), (v) => Math.round(v * 1e4) / 1e4);
  if (format === 'binary') {
    return {
      body: new Uint8Array(Float32Array.from(rounded).buffer),
      headers: { 'content-type': 'application/octet-stream', 'x-window-shape': `${per},${T},${F}` },
    };
  }
  const windows = Array.from({ length: per }, (_, w) =>
    Array.from({ length: T }, (_, t) => rounded.slice((w * T + t) * F, (w * T + t + 1) * F)),
  );
  return { body: JSON.stringify({ windows }), headers: { 'content-type': 'application/json' } };
}

/** Load (in a process of its own) against the child-process server, one run per format and windows per request. */
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
    for (const format of ['json', 'binary'] as const) {
      for (const per of perRequest) {
        const { body, headers } = requestBody(x, per, format);
        const cpu0 = await server.cpuSeconds();
        const res = await runLoad({
          url: `http://127.0.0.1:${server.port}/v1/score/anomaly`,
          headers,
          body,
          connections: CONNECTIONS,
          warmSeconds: Math.min(2, seconds),
          seconds,
        });
        const serverCpu = (await server.cpuSeconds()) - cpu0;
        if (res.non2xx > 0 || res.errors > 0)
          throw new Error(`HTTP bench (${format}): ${res.non2xx} non-2xx, ${res.errors} errors`);
        const r: HttpResult = {
          format,
          perRequest: per,
          windowsPerSecond: res.requestsPerSecond * per,
          requestsPerSecond: res.requestsPerSecond,
          p50: res.p50,
          p99: res.p99,
          kib: body.length / 1024,
          loadCpuShare: res.cpuShare,
          // The server's CPU over warm-up and run together, against the whole machine over the same span.
          serverCpuShare: serverCpu / ((res.wallSeconds + Math.min(2, seconds)) * os.cpus().length),
        };
        out.push(r);
        console.error(
          `HTTP ${format} ${per} windows/request: ${Math.round(r.windowsPerSecond)} windows/s, p99 ${r.p99} ms, ` +
            `load generator ${pct(r.loadCpuShare)} / server ${pct(r.serverCpuShare)} of the machine's CPU`,
        );
      }
    }
  } finally {
    server.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return out;
}

const pct = (share: number) => `${Math.round(share * 100)}%`;

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
      candidate: `HTTP /v1/score/anomaly, ${h.format}, ${h.perRequest} window(s)/request, c=${CONNECTIONS}`,
      batch: 'micro-batched',
      'windows/s': Math.round(h.windowsPerSecond),
      'requests/s': Math.round(h.requestsPerSecond),
      'p50 ms': h.p50,
      'p99 ms': h.p99,
      'load gen CPU': pct(h.loadCpuShare),
      'server CPU': pct(h.serverCpuShare),
    });
  }
  const bestOf = (format: Format) =>
    http.filter((h) => h.format === format).reduce((a, b) => (b.windowsPerSecond > a.windowsPerSecond ? b : a));
  const singleOf = (format: Format) => http.find((h) => h.format === format && h.perRequest === 1);
  const cfg = loadConfig().models;
  return {
    suite: 'score',
    method:
      `LSTM autoencoder (units 32, T=${T}, F=${F}; training/models/anomaly.ts exported by training/onnx/export.ts), ${WINDOWS} ` +
      `fixed pseudo-random windows. Raw ORT: one CPU session in this process (graph optimisation all, sequential, intraOp ` +
      `${intraOp}); tfjs: the same model, backend ${backend.name} (${backend.device}); each batch size ~${seconds}s after one ` +
      `warm-up batch; ORT vs tfjs max abs output difference ${maxDiff.toExponential(2)}. HTTP (run first): the real app ` +
      `(buildApp) in a child process on 127.0.0.1 with the inference config (workers ${cfg.inferenceWorkers}, max batch ` +
      `${cfg.maxBatch}, max wait ${cfg.maxBatchWaitMs} ms), autocannon ${CONNECTIONS} connections, ${httpSeconds}s after a ${Math.min(2, httpSeconds)}s ` +
      `warm-up, the same raw windows as JSON and as the binary format (little-endian float32, x-window-shape) ` +
      `(${http.map((h) => `${h.format} ${h.perRequest}/request = ${h.kib.toFixed(1)} KiB`).join(', ')}). The load generator ` +
      "runs in a process of its own; its CPU share (and the server's: main thread + inference worker) is of the whole " +
      'machine over the run. ' +
      `${os.cpus().length} CPU cores shared by the server, its inference worker and autocannon (and by other work on the ` +
      `machine: 1-min load average ${load0.toFixed(1)} at start, ${os.loadavg()[0].toFixed(1)} at end).`,
    rows,
    summary: {
      'ORT / tfjs (best batch each)': `${(best.ort / best.tfjs).toFixed(1)}x (target >= 10x; ORT best at batch ${best.ortBatch}, tfjs at ${best.tfjsBatch})`,
      ...Object.fromEntries(
        (['json', 'binary'] as const).flatMap((format) => {
          const b = bestOf(format);
          const one = singleOf(format);
          return [
            [
              `HTTP ${format} / raw ORT (windows/s)`,
              `${(b.windowsPerSecond / best.ort).toFixed(2)} (target >= 0.5; best at ${b.perRequest} windows/request, load generator ${pct(b.loadCpuShare)} of the CPU)`,
            ],
            ...(one
              ? [
                  [
                    `HTTP ${format} p99 latency, 1 window/request, c=${CONNECTIONS}`,
                    `${one.p99} ms (target < 50 ms; p50 ${one.p50} ms)`,
                  ],
                ]
              : []),
          ];
        }),
      ),
    },
  };
}

if (process.argv[2] === SERVE_MARK && process.argv[3]) void serve(process.argv[3]);
