/**
 * Execution-provider choice for ONNX Runtime: try each configured provider in order (cuda → webgpu → cpu by
 * default), fall back on failure, and say which one a session got. The selection logic is pure over a small
 * `ProviderBackend` boundary so it is tested with fakes; `ortProviderBackend` is the real adapter.
 *
 * Environment failures (provider library not installed, no GPU adapter) are remembered per thread, so the second
 * model version does not pay for — or log — the same doomed attempt again.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { AppError } from '../errors.js';

export interface ProviderFailure {
  readonly ep: string;
  readonly reason: string;
}

export interface ProviderBackend<S> {
  /** Why `ep` cannot work in this process at all (undefined: worth trying). Cheap; no session is created. */
  unavailableReason(ep: string): string | undefined;
  /** Create a session on exactly this provider. */
  create(ep: string): Promise<S>;
}

export interface ProviderChoice<S> {
  readonly session: S;
  readonly ep: string;
  /** Providers tried before `ep`, and why each failed. */
  readonly failures: readonly ProviderFailure[];
}

export const KNOWN_PROVIDERS = ['cuda', 'tensorrt', 'webgpu', 'cpu'] as const;

/** Errors that say the provider cannot run here at all, rather than that this model does not suit it. */
const ENVIRONMENT_FAILURE =
  /failed to load (shared )?library|cannot open shared object|no supported adapters|failed to get a webgpu adapter|not bundled/i;

const unavailable = new Map<string, string>();

/** Forget remembered environment failures (tests). */
export function resetProviderMemo(): void {
  unavailable.clear();
}

/** The first line, without ONNX Runtime's `/onnxruntime_src/...cc:N <signature> <check> was false.` prefix. */
function firstLine(err: unknown): string {
  const msg = (err instanceof Error ? err.message : String(err)).split('\n')[0];
  const plain = /^\/\S+:\d+ .* was false\. (.+)$/.exec(msg)?.[1] ?? msg;
  return plain.slice(0, 300);
}

/**
 * Create a session on the first provider of `providers` that works. `onFailure` is called once per provider that
 * was skipped or failed (the caller logs one line each). Throws BACKEND_UNAVAILABLE naming every failure.
 */
export async function createWithFallback<S>(
  providers: readonly string[],
  backend: ProviderBackend<S>,
  onFailure: (f: ProviderFailure) => void = () => {},
): Promise<ProviderChoice<S>> {
  const failures: ProviderFailure[] = [];
  const fail = (f: ProviderFailure) => {
    failures.push(f);
    onFailure(f);
  };
  for (const ep of providers) {
    if (!(KNOWN_PROVIDERS as readonly string[]).includes(ep)) {
      fail({ ep, reason: `unknown execution provider (known: ${KNOWN_PROVIDERS.join(', ')})` });
      continue;
    }
    const skip = unavailable.get(ep) ?? backend.unavailableReason(ep);
    if (skip !== undefined) {
      unavailable.set(ep, skip);
      fail({ ep, reason: skip });
      continue;
    }
    try {
      const session = await backend.create(ep);
      return { session, ep, failures };
    } catch (err) {
      const reason = firstLine(err);
      if (ENVIRONMENT_FAILURE.test(reason)) unavailable.set(ep, reason);
      fail({ ep, reason });
    }
  }
  throw new AppError(
    'BACKEND_UNAVAILABLE',
    `no execution provider could create the session (tried ${providers.join(', ') || 'none'})`,
    { failures },
  );
}

interface BackendInfo {
  name: string;
  bundled: boolean;
}

/**
 * Why a provider cannot work with this onnxruntime-node install. Non-bundled providers (cuda, tensorrt) need their
 * `libonnxruntime_providers_<ep>.so` beside the binding (installed with ONNXRUNTIME_NODE_INSTALL=cuda12); checking
 * the file first keeps ONNX Runtime from printing a native error for a provider that was never installed.
 */
export function ortUnavailableReason(
  ep: string,
  supported: readonly BackendInfo[],
  bindingDir: string,
): string | undefined {
  const info = supported.find((b) => b.name === ep);
  if (!info) return `not supported by this onnxruntime-node build`;
  if (info.bundled) return undefined;
  const ext = process.platform === 'win32' ? 'dll' : process.platform === 'darwin' ? 'dylib' : 'so';
  const lib = `${process.platform === 'win32' ? '' : 'lib'}onnxruntime_providers_${ep}.${ext}`;
  return existsSync(path.join(bindingDir, lib))
    ? undefined
    : `not bundled with onnxruntime-node and ${lib} is not installed`;
}

/** Directory of onnxruntime-node's native binding, where optional provider libraries are installed. */
export function ortBindingDir(): string {
  const require = createRequire(import.meta.url);
  const pkg = path.dirname(require.resolve('onnxruntime-node/package.json'));
  return path.join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
}
