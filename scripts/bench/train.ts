/**
 * Training benchmark: one epoch of the anomaly detector (LSTM autoencoder, default size) on every tfjs backend
 * available here, on the same simulated windows, in one process. Rows: backend, device, windows/s, seconds.
 * Then, on the best backend, the cost of one optimiser step of a CSV-sized detector (one feature) at the batch
 * sizes a CSV anomaly model could use: training a CSV model is sized by steps, so this is its training time.
 */
import * as tf from '@tensorflow/tfjs';
import { SAMPLE_PERIOD_MS, simulateSeries } from '../../datasets/simulator/index.js';
import { deriveSeries, rawFields } from '../../src/features/derived.js';
import { anomalyWindows } from '../../src/features/model-inputs.js';
import { fitScaler } from '../../src/features/scaler.js';
import { availableBackends, chooseBackend } from '../../training/backend.js';
import { defaultBackends } from '../../training/backend-registry.js';
import { TRAIN_DEFAULTS } from '../../training/cli/train.js';
import { ANOMALY_DEFAULTS, buildAnomalyDetector } from '../../training/models/anomaly.js';
import { GPU_WINDOW_FEATURES } from '../../training/trainer-common.js';
import type { BenchContext, BenchReport } from './types.js';

const WINDOW = 30;
const BATCH = 256;
const quiet = { info: () => {}, warn: () => {} };

/** The same scaled windows for every backend: 8 simulated GPUs, 2 h, stride 1, the first `windowCount`. */
function benchWindows(windowCount: number): Float32Array {
  const features = [...GPU_WINDOW_FEATURES];
  const sim = simulateSeries({ seed: 3, gpus: 8, start: Date.UTC(2026, 0, 5), hours: 2 }, rawFields(features));
  const all = [...sim.series.values()];
  const derived = all.map((s) => deriveSeries(s, features));
  const scaler = fitScaler(Float64Array.from(derived.flatMap((d) => Array.from(d.values))), features.length);
  const parts = all.map((s) => anomalyWindows(s, { features, scaler, windowLength: WINDOW, stride: 1 }));
  const size = WINDOW * features.length;
  const out = new Float32Array(windowCount * size);
  let k = 0;
  for (const p of parts) {
    for (let i = 0; i < p.count && k < windowCount; i++, k++)
      out.set(p.data.subarray(i * size, (i + 1) * size), k * size);
  }
  if (k < windowCount) throw new Error(`only ${k} windows`);
  return out;
}

export async function run({ sizes }: BenchContext): Promise<BenchReport> {
  const windowCount = sizes.trainWindows;
  const batch = Math.min(BATCH, windowCount);
  const data = benchWindows(windowCount);
  const width = GPU_WINDOW_FEATURES.length;
  const registry = defaultBackends();
  const names = await availableBackends(registry, quiet);
  const rows: Record<string, string | number>[] = [];
  const rate: Record<string, number> = {};
  for (const name of names) {
    const chosen = await chooseBackend({ requested: name, registry, log: quiet });
    const model = buildAnomalyDetector({ windowLength: WINDOW, features: width, seed: 1 });
    const x = tf.tensor3d(data, [windowCount, WINDOW, width]);
    // Warm-up: one batch (kernel compilation, wasm/WebGPU set-up) is not part of the epoch.
    const warm = x.slice([0, 0, 0], [batch, WINDOW, width]);
    await model.fit(warm, warm, { epochs: 1, batchSize: batch, verbose: 0, shuffle: false });
    const started = performance.now();
    await model.fit(x, x, { epochs: 1, batchSize: batch, verbose: 0, shuffle: false });
    const seconds = (performance.now() - started) / 1000;
    rate[name] = windowCount / seconds;
    rows.push({
      backend: name,
      device: chosen.device,
      windows: windowCount,
      seconds: Number(seconds.toFixed(2)),
      'windows/s': Math.round(rate[name]),
    });
    warm.dispose();
    x.dispose();
    model.dispose();
  }
  const summary: Record<string, string> = {};
  const csvSteps = await csvStepCosts(names[0], data, windowCount, width, rows);
  for (const [batch, perStep] of csvSteps)
    summary[`csv detector step, batch ${batch}`] = `${(perStep * 1000).toFixed(0)} ms`;
  const csvBatch = TRAIN_DEFAULTS.anomaly.csv.batchSize ?? TRAIN_DEFAULTS.anomaly.batchSize;
  const perStep = csvSteps.get(csvBatch);
  const full = csvSteps.get(TRAIN_DEFAULTS.anomaly.batchSize);
  if (perStep && full && csvBatch !== TRAIN_DEFAULTS.anomaly.batchSize)
    summary[`csv detector step, batch ${csvBatch} (the CSV default) / ${TRAIN_DEFAULTS.anomaly.batchSize} time ratio`] =
      (perStep / full).toFixed(2);
  if (rate.wasm && rate.cpu) summary['wasm/cpu ratio'] = `${(rate.wasm / rate.cpu).toFixed(2)}x`;
  for (const gpu of ['node-gpu', 'webgpu'])
    if (rate[gpu] && rate.cpu) summary[`${gpu}/cpu ratio`] = `${(rate[gpu] / rate.cpu).toFixed(2)}x`;
  return {
    suite: 'train',
    method:
      `one epoch of the anomaly LSTM autoencoder (units ${ANOMALY_DEFAULTS.units}, window ${WINDOW} x ${width} features, ` +
      `${windowCount} simulated windows at ${SAMPLE_PERIOD_MS / 1000} s, batch ${batch}, Adam) per available tfjs backend, ` +
      'same data and seed, after a one-batch warm-up; wall time of model.fit. Then on the best backend the CSV ' +
      'detector (first feature only) for two epochs at each batch size, timed per optimiser step',
    rows,
    summary,
  };
}

/** Seconds per optimiser step of a one-feature detector (a NAB-like CSV) at each candidate batch size, same windows. */
async function csvStepCosts(
  backend: string,
  data: Float32Array,
  windowCount: number,
  width: number,
  rows: Record<string, string | number>[],
): Promise<Map<number, number>> {
  await chooseBackend({ requested: backend, registry: defaultBackends(), log: quiet });
  // The first feature of each window: the shape of a single-column CSV.
  const one = Float32Array.from({ length: windowCount * WINDOW }, (_, i) => data[i * width]);
  const x = tf.tensor3d(one, [windowCount, WINDOW, 1]);
  const out = new Map<number, number>();
  for (const batch of [TRAIN_DEFAULTS.anomaly.batchSize, 128, 64].filter((b) => b <= windowCount)) {
    const model = buildAnomalyDetector({ windowLength: WINDOW, features: 1, seed: 1 });
    const warm = x.slice([0, 0, 0], [batch, WINDOW, 1]);
    await model.fit(warm, warm, { epochs: 1, batchSize: batch, verbose: 0, shuffle: false });
    // Two epochs: the first full epoch of a fresh model still allocates; the step figure averages both.
    const steps = 2 * Math.floor(windowCount / batch);
    const started = performance.now();
    await model.fit(x, x, { epochs: 2, batchSize: batch, verbose: 0, shuffle: false });
    const perStep = (performance.now() - started) / 1000 / steps;
    out.set(batch, perStep);
    rows.push({
      backend,
      device: `csv detector, 1 feature, batch ${batch}`,
      windows: steps * batch,
      seconds: Number((perStep * steps).toFixed(2)),
      'windows/s': Math.round(batch / perStep),
    });
    warm.dispose();
    model.dispose();
  }
  x.dispose();
  return out;
}
