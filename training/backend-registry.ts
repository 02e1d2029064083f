/**
 * The TensorFlow.js compute backends this product can train on, in order of preference:
 * tfjs-node-gpu (CUDA) → tfjs-node → WebGPU (Dawn via the `webgpu` package) → WebAssembly → pure-JS cpu.
 * Each entry is lazy: nothing is imported until `isAvailable()` or `factory()` is called, so optional packages
 * that are not installed cost nothing. The choice itself lives in backend.ts.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

export interface BackendEntry {
  /** Registry name, what TFJS_BACKEND names. */
  readonly name: string;
  /** Higher is tried first. */
  readonly priority: number;
  /** Probe: can this backend run here (package installed, adapter present)? Throws only on a real failure
   *  (a package that is installed but broken), never because an optional package is absent. */
  readonly isAvailable: () => Promise<boolean>;
  /** Registers the backend with tfjs, makes it current and returns a device description for the logs/metadata. */
  readonly factory: () => Promise<string>;
  /** Why the last `isAvailable()` said no (package not installed, no adapter); undefined while available. */
  readonly unavailableReason?: () => string | undefined;
}

/** The dynamic-import boundary; tests swap it to pretend a package is (not) installed. */
export type Importer = (specifier: string) => Promise<unknown>;

const defaultImporter: Importer = (specifier) => import(specifier);

/** Import an optional package; `undefined` only when it is not installed (any other failure is real, and thrown). */
export async function importOptional(specifier: string, importer: Importer = defaultImporter): Promise<unknown> {
  try {
    return await importer(specifier);
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return undefined;
    throw err;
  }
}

const cpuDevice = (): string => `cpu x${os.cpus().length}`;

/** Memoise an async probe so a package is imported (and an adapter requested) at most once. */
function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => {
    p ??= fn();
    return p;
  };
}

async function activate(tfName: string): Promise<void> {
  // Production mode drops tfjs's debug checks and its "install tfjs-node" banner; the choice is logged by us.
  tf.enableProdMode();
  const ok = await tf.setBackend(tfName);
  if (!ok) throw new Error(`tf.setBackend('${tfName}') failed`);
  await tf.ready();
}

/** tfjs-node(-gpu) registers the `tensorflow` backend on import (libtensorflow, native). */
function nodeEntry(
  name: string,
  specifier: string,
  priority: number,
  device: string,
  importer: Importer,
): BackendEntry {
  // danfojs-node's scoped override installs plain @tensorflow/tfjs under the name @tensorflow/tfjs-node: the import
  // succeeds but registers no `tensorflow` backend (no libtensorflow), so the registration is what is probed.
  const probe = once(async () => {
    if ((await importOptional(specifier, importer)) === undefined) return `${specifier} is not installed`;
    return tf.findBackendFactory('tensorflow')
      ? undefined
      : `${specifier} registers no tensorflow backend (no libtensorflow)`;
  });
  let reason: string | undefined;
  return {
    name,
    priority,
    isAvailable: async () => {
      reason = await probe();
      return reason === undefined;
    },
    unavailableReason: () => reason,
    factory: async () => {
      const missing = await probe();
      if (missing) throw new Error(missing);
      await activate('tensorflow');
      return device;
    },
  };
}

interface GpuAdapterLike {
  readonly info?: { vendor?: string; architecture?: string; device?: string; description?: string };
  requestDevice(descriptor?: unknown): Promise<unknown>;
}
interface GpuLike {
  requestAdapter(options?: unknown): Promise<GpuAdapterLike | null>;
}
interface WebGpuModule {
  create(options: string[]): GpuLike;
  globals: object;
}
interface TfWebGpuModule {
  WebGPUBackend: new (device: unknown, adapterInfo?: unknown) => tf.KernelBackend;
}

/** Describes an adapter as `vendor architecture (description)`, whatever parts it reports. */
export function describeAdapter(adapter: GpuAdapterLike): string {
  const info = adapter.info ?? {};
  const parts = [info.vendor, info.architecture, info.device].filter((s) => s && s.length > 0);
  const text = parts.join(' ') || 'unknown adapter';
  return info.description ? `webgpu ${text} (${info.description})` : `webgpu ${text}`;
}

/**
 * WebGPU over Dawn: only available when the `webgpu` package finds a real adapter (none on CPU-only hosts, where
 * Vulkan is missing). We register the tfjs backend ourselves because Node has no `navigator.gpu`.
 */
function webgpuEntry(importer: Importer, hasVulkanLoader: () => boolean): BackendEntry {
  let reason: string | undefined;
  const probe = once(async (): Promise<{ gpu: GpuLike; adapter: GpuAdapterLike } | undefined> => {
    // Without a Vulkan loader Dawn finds no adapter anyway, after printing a warning with a native stack trace
    // on every run of every command: do not ask it.
    if (!hasVulkanLoader()) {
      reason = 'no WebGPU adapter: no Vulkan loader (libvulkan.so.1) on this machine';
      return undefined;
    }
    const mod = (await importOptional('webgpu', importer)) as WebGpuModule | undefined;
    reason = 'the webgpu package is not installed';
    if (!mod || typeof mod.create !== 'function') return undefined;
    const gpu = mod.create([]);
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    reason = 'no WebGPU adapter (Dawn found no Vulkan loader, driver or GPU)';
    if (!adapter) return undefined;
    reason = undefined;
    Object.assign(globalThis, mod.globals); // GPUBufferUsage & co., which the tfjs backend reads as globals
    return { gpu, adapter };
  });
  return {
    name: 'webgpu',
    priority: 70,
    isAvailable: async () => (await probe()) !== undefined,
    unavailableReason: () => reason,
    factory: async () => {
      const found = await probe();
      if (!found) throw new Error('no WebGPU adapter');
      const backendMod = (await importOptional('@tensorflow/tfjs-backend-webgpu', importer)) as
        | TfWebGpuModule
        | undefined;
      if (!backendMod) throw new Error('@tensorflow/tfjs-backend-webgpu is not installed');
      const device = await found.adapter.requestDevice();
      tf.registerBackend('webgpu', () => new backendMod.WebGPUBackend(device, found.adapter.info), 3);
      await activate('webgpu');
      return describeAdapter(found.adapter);
    },
  };
}

function wasmEntry(importer: Importer): BackendEntry {
  const probe = once(async () => (await importOptional('@tensorflow/tfjs-backend-wasm', importer)) !== undefined);
  let reason: string | undefined;
  return {
    name: 'wasm',
    priority: 50,
    isAvailable: async () => {
      const ok = await probe();
      reason = ok ? undefined : '@tensorflow/tfjs-backend-wasm is not installed';
      return ok;
    },
    unavailableReason: () => reason,
    factory: async () => {
      if (!(await probe())) throw new Error('@tensorflow/tfjs-backend-wasm is not installed');
      await activate('wasm');
      return `wasm (${cpuDevice()})`;
    },
  };
}

function cpuEntry(): BackendEntry {
  return {
    name: 'cpu',
    priority: 10,
    isAvailable: async () => true,
    factory: async () => {
      await activate('cpu');
      return cpuDevice();
    },
  };
}

/** The product's registry, highest priority first. `importer` is the seam tests use. */
/**
 * Whether the Vulkan loader Dawn opens is on this machine (Linux: libvulkan.so.1 in a library folder or on
 * LD_LIBRARY_PATH). Other platforms ship their own loaders: assumed present.
 */
export function vulkanLoaderPresent(): boolean {
  if (process.platform !== 'linux') return true;
  const dirs = [
    ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean),
    '/usr/lib/x86_64-linux-gnu',
    '/usr/lib/aarch64-linux-gnu',
    '/lib/x86_64-linux-gnu',
    '/lib/aarch64-linux-gnu',
    '/usr/lib64',
    '/usr/lib',
    '/usr/local/lib',
    '/usr/local/nvidia/lib64',
  ];
  return dirs.some((d) => existsSync(path.join(d, 'libvulkan.so.1')));
}

export function defaultBackends(
  importer: Importer = defaultImporter,
  hasVulkanLoader: () => boolean = importer === defaultImporter ? vulkanLoaderPresent : () => true,
): BackendEntry[] {
  return [
    nodeEntry('node-gpu', '@tensorflow/tfjs-node-gpu', 100, 'cuda (libtensorflow)', importer),
    nodeEntry('node', '@tensorflow/tfjs-node', 90, `${cpuDevice()} (libtensorflow)`, importer),
    webgpuEntry(importer, hasVulkanLoader),
    wasmEntry(importer),
    cpuEntry(),
  ].sort((a, b) => b.priority - a.priority);
}
