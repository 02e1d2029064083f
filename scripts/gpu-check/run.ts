/**
 * The check, step by step: probe devices → simulate windows → one epoch per TensorFlow.js backend (exporting the
 * first trained model to ONNX with the product's exporter) → ONNX Runtime scoring per provider and batch size →
 * agreement and verdicts. Never throws for a missing GPU: absence is a result.
 */
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { chooseBackend } from '../../training/backend.js';
import { buildAnomalyDetector } from '../../training/models/anomaly.js';
import { writeOnnx } from '../../training/onnx/export.js';
import { CheckLog } from './check-log.js';
import { checkWindows } from './data.js';
import { probeDevices } from './devices.js';
import { CHECK_FEATURES, type GpuCheckOptions } from './options.js';
import { type GpuCheckResult, verdicts } from './report.js';
import { benchScoring } from './score-bench.js';
import { benchTraining } from './train-bench.js';

export async function runGpuCheck(opts: GpuCheckOptions, log: CheckLog = new CheckLog()): Promise<GpuCheckResult> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const deadline = t0 + opts.budgetSeconds * 1000;

  const devices = await probeDevices();
  log.info(
    {
      nvidiaGpus: devices.nvidiaSmi.gpus.length,
      webgpuAdapter: devices.webgpu.found,
      vulkanLoader: devices.vulkan.loader ?? null,
    },
    'devices probed',
  );

  const windows = checkWindows(opts.windows, opts.windowLength, CHECK_FEATURES, opts.seed);
  log.info({ windows: windows.count, length: windows.length, width: windows.width }, 'windows simulated');

  const modelPath = path.resolve(opts.outDir, 'anomaly.onnx');
  let exportedFrom: string | undefined;
  const exportModel = async (model: tf.LayersModel, backend: string) => {
    await writeOnnx(model, { name: 'gpu-check-anomaly', version: backend, features: windows.features }, modelPath);
    exportedFrom = backend;
    log.info({ modelPath, trainedOn: backend }, 'exported to ONNX');
  };
  // Training stops early enough to leave scoring its time: per provider and batch size, the timed runs and a warm-up.
  const scoringSeconds = opts.providers.length * (opts.batchSizes.length * (opts.minScoreSeconds + 1) + 5);
  const training = await benchTraining(windows, opts, log, deadline - scoringSeconds * 1000, exportModel);
  if (!exportedFrom) {
    // Nothing trained or exported (budget, failures): score an untrained model so scoring is still measured.
    await chooseBackend({ requested: 'cpu', log });
    const model = buildAnomalyDetector({ windowLength: windows.length, features: windows.width, units: opts.units });
    await exportModel(model, 'untrained');
    model.dispose();
  }

  const { providers, agreement } = await benchScoring(modelPath, windows, opts, log, deadline);
  const { data: _data, scaler: _scaler, ...dataInfo } = windows;
  return {
    startedAt,
    seconds: (performance.now() - t0) / 1000,
    options: opts,
    data: dataInfo,
    devices,
    training,
    scoring: providers,
    agreement,
    verdicts: verdicts(training, providers, agreement),
    log: log.lines,
  };
}
