import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, test } from 'vitest';
import { AppError } from '../errors.js';
import {
  createWithFallback,
  ortUnavailableReason,
  type ProviderBackend,
  type ProviderFailure,
  resetProviderMemo,
} from './execution-providers.js';

/** A fake ONNX Runtime boundary: per-provider outcome, and a record of what was attempted. */
function fakeBackend(outcome: Record<string, 'ok' | 'missing' | Error>) {
  const created: string[] = [];
  const backend: ProviderBackend<{ ep: string }> = {
    unavailableReason: (ep) => (outcome[ep] === 'missing' ? `${ep} library not installed` : undefined),
    create: async (ep) => {
      created.push(ep);
      const o = outcome[ep];
      if (o instanceof Error) throw o;
      return { ep };
    },
  };
  return { backend, created };
}

beforeEach(() => resetProviderMemo());

describe('createWithFallback', () => {
  test('falls back cuda → webgpu → cpu, logging one line per failed provider', async () => {
    const { backend, created } = fakeBackend({
      cuda: 'missing',
      webgpu: new Error('Failed to get a WebGPU adapter: No supported adapters\n  at native stack'),
      cpu: 'ok',
    });
    const logged: ProviderFailure[] = [];
    const choice = await createWithFallback(['cuda', 'webgpu', 'cpu'], backend, (f) => logged.push(f));
    expect(choice.ep).toBe('cpu');
    expect(choice.session).toEqual({ ep: 'cpu' });
    expect(created).toEqual(['webgpu', 'cpu']); // cuda never attempted: its library is missing
    expect(logged.map((f) => f.ep)).toEqual(['cuda', 'webgpu']);
    expect(logged[1].reason).toBe('Failed to get a WebGPU adapter: No supported adapters'); // first line only
    expect(choice.failures).toEqual(logged);
  });

  test('uses the first provider that works and tries no further', async () => {
    const { backend, created } = fakeBackend({ cuda: 'ok', cpu: 'ok' });
    const choice = await createWithFallback(['cuda', 'webgpu', 'cpu'], backend);
    expect(choice.ep).toBe('cuda');
    expect(created).toEqual(['cuda']);
    expect(choice.failures).toEqual([]);
  });

  test('remembers environment failures but retries model-specific ones', async () => {
    const adapter = fakeBackend({ webgpu: new Error('No supported adapters'), cpu: 'ok' });
    await createWithFallback(['webgpu', 'cpu'], adapter.backend);
    await createWithFallback(['webgpu', 'cpu'], adapter.backend);
    expect(adapter.created).toEqual(['webgpu', 'cpu', 'cpu']);

    resetProviderMemo();
    const op = fakeBackend({ webgpu: new Error('Could not find an implementation for LSTM(14)'), cpu: 'ok' });
    await createWithFallback(['webgpu', 'cpu'], op.backend);
    await createWithFallback(['webgpu', 'cpu'], op.backend);
    expect(op.created).toEqual(['webgpu', 'cpu', 'webgpu', 'cpu']);
  });

  test('source-location noise is stripped from the reason', async () => {
    const raw =
      '/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 void onnxruntime::webgpu::Init()::<lambda()> adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters';
    const { backend } = fakeBackend({ webgpu: new Error(raw), cpu: 'ok' });
    const choice = await createWithFallback(['webgpu', 'cpu'], backend);
    expect(choice.failures[0].reason).toBe('Failed to get a WebGPU adapter: No supported adapters');
  });

  test('an unknown provider name is reported, not attempted', async () => {
    const { backend, created } = fakeBackend({ cpu: 'ok' });
    const choice = await createWithFallback(['tpu', 'cpu'], backend);
    expect(created).toEqual(['cpu']);
    expect(choice.failures[0]).toMatchObject({
      ep: 'tpu',
      reason: expect.stringContaining('unknown execution provider'),
    });
  });

  test('throws BACKEND_UNAVAILABLE listing every failure when nothing works', async () => {
    const { backend } = fakeBackend({ cuda: 'missing', cpu: new Error('out of memory') });
    const err = await createWithFallback(['cuda', 'cpu'], backend).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('BACKEND_UNAVAILABLE');
    expect((err as AppError).details).toEqual({
      failures: [
        { ep: 'cuda', reason: 'cuda library not installed' },
        { ep: 'cpu', reason: 'out of memory' },
      ],
    });
  });
});

describe('ortUnavailableReason', () => {
  const supported = [
    { name: 'cpu', bundled: true },
    { name: 'webgpu', bundled: true },
    { name: 'cuda', bundled: false },
  ];

  test('bundled providers are worth trying; unknown ones are not', () => {
    expect(ortUnavailableReason('cpu', supported, '/nonexistent')).toBeUndefined();
    expect(ortUnavailableReason('webgpu', supported, '/nonexistent')).toBeUndefined();
    expect(ortUnavailableReason('tensorrt', supported, '/nonexistent')).toMatch(/not supported/);
  });

  test('a non-bundled provider is available only when its library is installed', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ort-bin-'));
    expect(ortUnavailableReason('cuda', supported, dir)).toMatch(/libonnxruntime_providers_cuda\.so is not installed/);
    await writeFile(path.join(dir, 'libonnxruntime_providers_cuda.so'), '');
    expect(ortUnavailableReason('cuda', supported, dir)).toBeUndefined();
  });
});
