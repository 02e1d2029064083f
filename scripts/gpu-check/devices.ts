/**
 * What this host offers: CPU, NVIDIA GPUs as nvidia-smi sees them, the Vulkan loader and driver manifests Dawn
 * needs, the WebGPU adapter Dawn finds, and ONNX Runtime's providers. Every probe has a timeout and turns its
 * failure into a reason in the report instead of an exception.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as ort from 'onnxruntime-node';

const run = promisify(execFile);

export interface NvidiaGpu {
  readonly name: string;
  readonly driver: string;
  readonly memoryMiB: number;
  readonly busId: string;
}

export interface WebGpuAdapterReport {
  readonly found: boolean;
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
  readonly maxBufferSize?: number;
  readonly reason?: string;
}

export interface DeviceReport {
  readonly host: {
    readonly hostname: string;
    readonly os: string;
    readonly cpu: string;
    readonly cores: number;
    readonly memoryGiB: number;
    readonly node: string;
  };
  readonly nvidiaSmi: { readonly found: boolean; readonly gpus: readonly NvidiaGpu[]; readonly reason?: string };
  readonly vulkan: { readonly loader?: string; readonly icds: readonly string[] };
  readonly webgpu: WebGpuAdapterReport;
  readonly onnxRuntime: { readonly version: string; readonly providers: readonly string[] };
}

/** `name, driver, memory, bus id` CSV lines from nvidia-smi (no header, no units). */
export function parseNvidiaSmi(csv: string): NvidiaGpu[] {
  return csv
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .map((l) => {
      const [name = '', driver = '', mem = '', busId = ''] = l.split(',').map((s) => s.trim());
      return { name, driver, memoryMiB: Number(mem), busId };
    });
}

async function nvidiaSmi(): Promise<DeviceReport['nvidiaSmi']> {
  try {
    const { stdout } = await run(
      'nvidia-smi',
      ['--query-gpu=name,driver_version,memory.total,pci.bus_id', '--format=csv,noheader,nounits'],
      { timeout: 15_000 },
    );
    return { found: true, gpus: parseNvidiaSmi(stdout) };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const reason = code === 'ENOENT' ? 'nvidia-smi not on PATH (no NVIDIA driver)' : String(err).split('\n')[0];
    return { found: false, gpus: [], reason };
  }
}

const LIB_DIRS = ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib64', '/lib'];
const ICD_DIRS = ['/etc/vulkan/icd.d', '/usr/share/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

/** The first libvulkan.so.1 the dynamic loader would see (LD_LIBRARY_PATH first), and the Vulkan driver manifests. */
export function vulkanReport(env: NodeJS.ProcessEnv = process.env): DeviceReport['vulkan'] {
  const dirs = [...(env.LD_LIBRARY_PATH ?? '').split(':').filter((d) => d.length > 0), ...LIB_DIRS];
  const loader = dirs.map((d) => path.join(d, 'libvulkan.so.1')).find((f) => existsSync(f));
  const explicit = (env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES ?? '').split(':').filter((f) => f.length > 0);
  const found = ICD_DIRS.flatMap((d) => {
    try {
      return readdirSync(d)
        .filter((f) => f.endsWith('.json'))
        .map((f) => path.join(d, f));
    } catch {
      return [];
    }
  });
  return { loader, icds: [...explicit, ...found] };
}

interface AdapterLike {
  readonly info?: { vendor?: string; architecture?: string; device?: string; description?: string };
  readonly limits?: { maxBufferSize?: number };
}

async function webgpuAdapter(): Promise<WebGpuAdapterReport> {
  try {
    const mod = (await import('webgpu')) as {
      create(flags: string[]): { requestAdapter(o?: object): Promise<unknown> };
    };
    const adapter = (await mod
      .create([])
      .requestAdapter({ powerPreference: 'high-performance' })) as AdapterLike | null;
    if (!adapter) return { found: false, reason: 'Dawn found no WebGPU adapter (no Vulkan loader, driver or GPU)' };
    const info = adapter.info ?? {};
    return {
      found: true,
      vendor: info.vendor,
      architecture: info.architecture,
      device: info.device,
      description: info.description,
      maxBufferSize: adapter.limits?.maxBufferSize,
    };
  } catch (err) {
    return { found: false, reason: `webgpu package failed: ${String(err).split('\n')[0]}` };
  }
}

export async function probeDevices(): Promise<DeviceReport> {
  const cpus = os.cpus();
  return {
    host: {
      hostname: os.hostname(),
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      cpu: cpus[0]?.model ?? 'unknown',
      cores: os.availableParallelism(),
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
    },
    nvidiaSmi: await nvidiaSmi(),
    vulkan: vulkanReport(),
    webgpu: await webgpuAdapter(),
    onnxRuntime: {
      version: ort.env.versions.node ?? 'unknown',
      providers: ort.listSupportedBackends().map((b) => (b.bundled ? b.name : `${b.name} (separate install)`)),
    },
  };
}
