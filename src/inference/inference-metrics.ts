/**
 * Prometheus metrics for the serving path, registered on the app's registry: inference time, batch sizes,
 * active version and execution provider per model, and failures. Returned as an `InferenceObserver`.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { InferenceObserver } from './inference-types.js';

export function inferenceMetrics(registry: Registry): InferenceObserver {
  const registers = [registry];
  const seconds = new Histogram({
    name: 'fleetsense_inference_seconds',
    help: 'Time for one micro-batch: dispatch to a worker, session.run, result back',
    labelNames: ['model', 'version', 'ep'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const batchRows = new Histogram({
    name: 'fleetsense_inference_batch_rows',
    help: 'Rows (windows) per micro-batch sent to ONNX Runtime',
    labelNames: ['model'],
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
    registers,
  });
  const batchRequests = new Histogram({
    name: 'fleetsense_inference_batch_requests',
    help: 'Requests concatenated into one micro-batch',
    labelNames: ['model'],
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers,
  });
  const active = new Gauge({
    name: 'fleetsense_model_active_version',
    help: '1 for the version each model serves (label ep: its execution provider)',
    labelNames: ['model', 'version', 'ep'],
    registers,
  });
  const errors = new Counter({
    name: 'fleetsense_inference_errors_total',
    help: 'Inference requests that failed, by error code',
    labelNames: ['model', 'version', 'code'],
    registers,
  });
  const activeLabels = new Map<string, { model: string; version: string; ep: string }>();
  return {
    batch: (model, _version, rows, requests) => {
      batchRows.observe({ model }, rows);
      batchRequests.observe({ model }, requests);
    },
    ran: (model, version, ep, _rows, s) => seconds.observe({ model, version, ep }, s),
    failure: (model, version, code) => errors.inc({ model, version, code }),
    activated: (model, version, ep) => {
      const prev = activeLabels.get(model);
      if (prev) active.remove(prev);
      const labels = { model, version, ep };
      activeLabels.set(model, labels);
      active.set(labels, 1);
    },
  };
}
