import { describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.js';
import { chooseBackend } from './backend.js';
import { type BackendEntry, defaultBackends, type Importer, importOptional } from './backend-registry.js';

const quiet = { info: () => {}, warn: () => {} };

function fake(name: string, priority: number, available: boolean | Error, calls: string[] = []): BackendEntry {
  return {
    name,
    priority,
    isAvailable: async () => {
      if (available instanceof Error) throw available;
      return available;
    },
    factory: async () => {
      calls.push(name);
      return `${name}-device`;
    },
  };
}

const notFound = (specifier: string) =>
  Object.assign(new Error(`Cannot find package '${specifier}'`), { code: 'ERR_MODULE_NOT_FOUND' });

describe('chooseBackend', () => {
  it('takes the highest-priority available backend, whatever the registry order', async () => {
    const calls: string[] = [];
    const registry = [fake('cpu', 10, true, calls), fake('node', 90, false, calls), fake('wasm', 50, true, calls)];
    const chosen = await chooseBackend({ registry, log: quiet });
    expect(chosen).toEqual({ name: 'wasm', device: 'wasm-device' });
    expect(calls).toEqual(['wasm']);
  });

  it('uses an explicitly requested backend even when a better one exists', async () => {
    const registry = [fake('wasm', 50, true), fake('cpu', 10, true)];
    expect((await chooseBackend({ registry, requested: 'cpu', log: quiet })).name).toBe('cpu');
  });

  it('names the requested backend and what is available when it cannot run', async () => {
    const registry = [fake('webgpu', 70, false), fake('wasm', 50, true), fake('cpu', 10, true)];
    const err = await chooseBackend({ registry, requested: 'webgpu', log: quiet }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('BACKEND_UNAVAILABLE');
    expect((err as AppError).message).toContain('"webgpu"');
    expect((err as AppError).details).toMatchObject({ requested: 'webgpu', available: ['wasm', 'cpu'] });
    const unknown = await chooseBackend({ registry, requested: 'tpu', log: quiet }).catch((e: unknown) => e);
    expect((unknown as AppError).code).toBe('BACKEND_UNAVAILABLE');
  });

  it('skips a broken install with a warning instead of failing', async () => {
    const warnings: string[] = [];
    const log = { info: () => {}, warn: (_o: object, m: string) => warnings.push(m) };
    const registry = [fake('node', 90, new Error('libtensorflow.so: cannot open')), fake('cpu', 10, true)];
    expect((await chooseBackend({ registry, log })).name).toBe('cpu');
    expect(warnings).toHaveLength(1);
  });
});

describe('defaultBackends', () => {
  it('tries node-gpu, node, webgpu, wasm, cpu in that order', () => {
    expect(defaultBackends().map((b) => b.name)).toEqual(['node-gpu', 'node', 'webgpu', 'wasm', 'cpu']);
  });

  it('skips packages that are not installed and webgpu without an adapter, falling back to wasm', async () => {
    const imported: string[] = [];
    const importer: Importer = async (specifier) => {
      imported.push(specifier);
      if (specifier === 'webgpu') return { create: () => ({ requestAdapter: async () => null }), globals: {} };
      if (specifier === '@tensorflow/tfjs-backend-wasm') return {};
      throw notFound(specifier);
    };
    const registry = defaultBackends(importer);
    const available: string[] = [];
    for (const entry of registry) if (await entry.isAvailable()) available.push(entry.name);
    expect(available).toEqual(['wasm', 'cpu']);
    expect(imported).toContain('@tensorflow/tfjs-node-gpu');
    expect(imported).not.toContain('@tensorflow/tfjs-backend-webgpu'); // no adapter: the backend is never loaded
  });

  it('passes over a tfjs-node that imports but registers no tensorflow backend (an aliased package)', async () => {
    const importer: Importer = async (specifier) => {
      if (specifier === '@tensorflow/tfjs-node') return {}; // plain tfjs under that name: nothing registered
      throw notFound(specifier);
    };
    const node = defaultBackends(importer).find((b) => b.name === 'node')!;
    expect(await node.isAvailable()).toBe(false);
    expect(node.unavailableReason?.()).toMatch(/registers no tensorflow backend/);
  });

  it('reports webgpu available when the adapter exists', async () => {
    const adapter = { info: { vendor: 'nvidia', architecture: 'hopper' }, requestDevice: async () => ({}) };
    const importer: Importer = async (specifier) => {
      if (specifier === 'webgpu') return { create: () => ({ requestAdapter: async () => adapter }), globals: {} };
      throw notFound(specifier);
    };
    const webgpu = defaultBackends(importer).find((b) => b.name === 'webgpu')!;
    expect(await webgpu.isAvailable()).toBe(true);
  });
});

describe('importOptional', () => {
  it('returns undefined only for a missing package and rethrows other failures', async () => {
    expect(await importOptional('x', async () => Promise.reject(notFound('x')))).toBeUndefined();
    await expect(importOptional('x', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await importOptional('@tensorflow/tfjs-node-gpu')).toBeUndefined(); // really not installed here
  });
});
