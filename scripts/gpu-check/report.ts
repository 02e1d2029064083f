/**
 * The check's result: one JSON document and the same facts as markdown tables, with the ratios the GPU note
 * targets (WebGPU epoch >= 5x wasm; WebGPU scoring at the largest batch >= 5x CPU; outputs within tolerance).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CheckLogLine } from './check-log.js';
import type { CheckWindows } from './data.js';
import type { DeviceReport } from './devices.js';
import type { GpuCheckOptions } from './options.js';
import type { Agreement, ProviderResult } from './score-bench.js';
import type { TrainMeasurement } from './train-bench.js';

export const TARGET_RATIO = 5;

export interface Verdict {
  readonly target: string;
  readonly value?: number;
  /** `met`, `not met`, or `n/a` with why. */
  readonly result: string;
}

export interface GpuCheckResult {
  readonly startedAt: string;
  readonly seconds: number;
  readonly options: GpuCheckOptions;
  readonly data: Omit<CheckWindows, 'data' | 'scaler'>;
  readonly devices: DeviceReport;
  readonly training: readonly TrainMeasurement[];
  readonly scoring: readonly ProviderResult[];
  readonly agreement: readonly Agreement[];
  readonly verdicts: readonly Verdict[];
  readonly log: readonly CheckLogLine[];
}

function ratioVerdict(target: string, gpu: number | undefined, base: number | undefined, why: string): Verdict {
  if (gpu === undefined || base === undefined) return { target, result: `n/a (${why})` };
  const value = gpu / base;
  return { target, value, result: value >= TARGET_RATIO ? 'met' : 'not met' };
}

export function verdicts(
  training: readonly TrainMeasurement[],
  scoring: readonly ProviderResult[],
  agreement: readonly Agreement[],
): Verdict[] {
  const tps = (b: string) => training.find((t) => t.backend === b && t.status === 'ok')?.windowsPerSecond;
  const largest = (ep: string) => {
    const m = scoring.find((p) => p.ep === ep && p.status === 'ok')?.measurements;
    return m && m.length > 0 ? m.reduce((a, b) => (b.batch > a.batch ? b : a)) : undefined;
  };
  const webgpuScore = largest('webgpu');
  const cpuScore = largest('cpu');
  const webgpuAgreement = agreement.find((a) => a.ep === 'webgpu');
  return [
    ratioVerdict(`webgpu epoch >= ${TARGET_RATIO}x wasm`, tps('webgpu'), tps('wasm'), 'webgpu or wasm did not run'),
    ratioVerdict(
      `webgpu scoring >= ${TARGET_RATIO}x cpu at batch ${webgpuScore?.batch ?? cpuScore?.batch ?? '?'}`,
      webgpuScore?.windowsPerSecond,
      cpuScore?.windowsPerSecond,
      'webgpu or cpu provider did not run',
    ),
    webgpuAgreement?.pass === undefined
      ? { target: 'webgpu outputs agree with cpu', result: `n/a (${webgpuAgreement?.reason ?? 'webgpu not run'})` }
      : {
          target: `webgpu outputs agree with cpu within ${webgpuAgreement.tolerance}`,
          value: webgpuAgreement.maxAbsDiff,
          result: webgpuAgreement.pass ? 'met' : 'not met',
        },
  ];
}

/**
 * Why no WebGPU adapter, from what the device probe saw: the usual gaps on a GPU host are a missing Vulkan
 * driver manifest (headless driver installs, containers without the `graphics` capability) rather than the GPU.
 */
export function webgpuDiagnosis(d: DeviceReport): string | undefined {
  if (d.webgpu.found) return undefined;
  if (!d.vulkan.loader)
    return 'no libvulkan.so.1 on the library path (run through the bundle launcher, or install libvulkan1)';
  if (d.vulkan.icds.length === 0) {
    return d.nvidiaSmi.found
      ? "the NVIDIA driver's Vulkan manifest (nvidia_icd.json) is missing: install the driver's Vulkan/GL part, or in a container set NVIDIA_DRIVER_CAPABILITIES=compute,utility,graphics"
      : 'no Vulkan driver manifest and no NVIDIA driver: a CPU-only host';
  }
  return `Vulkan manifests present (${d.vulkan.icds.join(', ')}) but no adapter: check the driver with vulkaninfo`;
}

/** ONNX Runtime puts the useful part of a native error last: keep that part for tables. */
export function shortReason(reason: string | undefined): string {
  if (!reason) return '';
  const tail = /(failed to get a webgpu adapter.*|cannot open shared object.*|not bundled.*)$/i.exec(reason);
  const text = tail ? tail[1] : reason;
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

const f = (v: number | undefined, digits = 1): string => (v === undefined ? '-' : v.toFixed(digits));
const g = (v: number | undefined): string => (v === undefined ? '-' : v.toExponential(2));
const row = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;

export function toMarkdown(r: GpuCheckResult): string {
  const d = r.devices;
  const wasm = r.training.find((t) => t.backend === 'wasm')?.windowsPerSecond;
  const lines = [
    `# gpu-check ${r.startedAt}`,
    '',
    `Host ${d.host.hostname}: ${d.host.os}, ${d.host.cpu} x${d.host.cores}, ${d.host.memoryGiB} GiB, node ${d.host.node}.`,
    `nvidia-smi: ${d.nvidiaSmi.found ? d.nvidiaSmi.gpus.map((x) => `${x.name} (driver ${x.driver}, ${x.memoryMiB} MiB)`).join('; ') || 'no GPUs' : d.nvidiaSmi.reason}.`,
    `Vulkan loader: ${d.vulkan.loader ?? 'not found'}; driver manifests: ${d.vulkan.icds.join(', ') || 'none'}.`,
    `WebGPU adapter: ${d.webgpu.found ? [d.webgpu.vendor, d.webgpu.architecture, d.webgpu.device, d.webgpu.description].filter(Boolean).join(' ') : `none: ${webgpuDiagnosis(d)}`}.`,
    `ONNX Runtime ${d.onnxRuntime.version}: ${d.onnxRuntime.providers.join(', ')}.`,
    '',
    `Data: ${r.data.count} simulated windows of ${r.data.length} x ${r.data.width} (${r.data.gpus} GPUs, ${r.data.hours.toFixed(2)} h at 10 s); anomaly LSTM autoencoder, ${r.options.units} units, batch ${r.options.batchSize}.`,
    '',
    '## Training: one epoch per TensorFlow.js backend',
    '',
    row(['backend', 'status', 'device', 'warm-up s', 'epoch s', 'windows/s', 'x wasm', 'loss']),
    row(['---', '---', '---', '---:', '---:', '---:', '---:', '---:']),
    ...r.training.map((t) =>
      row([
        t.backend,
        t.status === 'ok' ? 'ok' : `${t.status}: ${shortReason(t.reason)}`,
        t.device ?? '-',
        f(t.warmupSeconds, 2),
        f(t.epochSeconds, 2),
        f(t.windowsPerSecond),
        t.windowsPerSecond && wasm ? f(t.windowsPerSecond / wasm, 2) : '-',
        t.loss === undefined ? '-' : t.loss.toFixed(4),
      ]),
    ),
    '',
    '## Scoring: ONNX Runtime per execution provider and batch size',
    '',
    row(['provider', 'status', 'batch', 'runs', 'ms/batch', 'windows/s', 'x cpu']),
    row(['---', '---', '---:', '---:', '---:', '---:', '---:']),
    ...r.scoring.flatMap((p) => {
      if (p.measurements.length === 0)
        return [row([p.ep, `${p.status}: ${shortReason(p.reason)}`, '-', '-', '-', '-', '-'])];
      const cpu = r.scoring.find((c) => c.ep === 'cpu')?.measurements;
      return p.measurements.map((m) => {
        const base = cpu?.find((c) => c.batch === m.batch)?.windowsPerSecond;
        return row([
          p.ep,
          p.status,
          m.batch,
          m.runs,
          f(m.msPerBatch, 3),
          f(m.windowsPerSecond),
          base ? f(m.windowsPerSecond / base, 2) : '-',
        ]);
      });
    }),
    '',
    '## Agreement with the CPU provider (largest batch)',
    '',
    row(['provider', 'max abs diff', 'tolerance', 'result']),
    row(['---', '---:', '---:', '---']),
    ...r.agreement.map((a) =>
      row([
        a.ep,
        g(a.maxAbsDiff),
        g(a.tolerance),
        a.pass === undefined ? `n/a (${a.reason})` : a.pass ? 'pass' : 'FAIL',
      ]),
    ),
    '',
    '## Targets (H100-class GPU)',
    '',
    row(['target', 'value', 'result']),
    row(['---', '---:', '---']),
    ...r.verdicts.map((v) =>
      row([v.target, v.value === undefined ? '-' : v.value < 0.01 ? g(v.value) : f(v.value, 2), v.result]),
    ),
    '',
    `Finished in ${r.seconds.toFixed(1)} s.`,
    '',
  ];
  return lines.join('\n');
}

export async function writeResult(r: GpuCheckResult, outDir: string): Promise<{ json: string; md: string }> {
  await mkdir(outDir, { recursive: true });
  const json = path.join(outDir, 'results.json');
  const md = path.join(outDir, 'results.md');
  await writeFile(json, `${JSON.stringify(r, null, 2)}\n`);
  await writeFile(md, toMarkdown(r));
  return { json, md };
}
