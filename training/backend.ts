/**
 * Chooses the TensorFlow.js compute backend once per process: the one TFJS_BACKEND names, or else the first
 * available in registry order (backend-registry.ts). The choice is logged once and returned so a model's
 * metadata records where it was trained.
 */
import { loadConfig } from '../src/config.js';
import { AppError } from '../src/errors.js';
import { type BackendEntry, defaultBackends } from './backend-registry.js';

export interface ChosenBackend {
  readonly name: string;
  /** e.g. `cpu x2`, `wasm (cpu x2)`, `webgpu nvidia hopper (...)`. */
  readonly device: string;
}

export interface ChooseBackendOptions {
  /** Registry name to use; empty or undefined: the best available. */
  readonly requested?: string;
  readonly registry?: readonly BackendEntry[];
  readonly log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

const consoleLog: NonNullable<ChooseBackendOptions['log']> = {
  info: (obj, msg) => console.error(`${msg} ${JSON.stringify(obj)}`),
  warn: (obj, msg) => console.error(`warning: ${msg} ${JSON.stringify(obj)}`),
};

/** Which entries can run here. A broken install is reported as a warning and counted as unavailable. */
export async function availableBackends(
  registry: readonly BackendEntry[],
  log: ChooseBackendOptions['log'] = consoleLog,
): Promise<string[]> {
  const out: string[] = [];
  for (const entry of [...registry].sort((a, b) => b.priority - a.priority)) {
    if (await probe(entry, log)) out.push(entry.name);
  }
  return out;
}

async function probe(entry: BackendEntry, log: ChooseBackendOptions['log']): Promise<boolean> {
  try {
    return await entry.isAvailable();
  } catch (err) {
    log?.warn({ backend: entry.name, err: String(err) }, 'compute backend installed but failed to load; skipping');
    return false;
  }
}

/** Pick and activate a backend (no caching: see `ensureBackend` for the once-per-process form). */
export async function chooseBackend(opts: ChooseBackendOptions = {}): Promise<ChosenBackend> {
  const registry = [...(opts.registry ?? defaultBackends())].sort((a, b) => b.priority - a.priority);
  const log = opts.log ?? consoleLog;
  const requested = opts.requested?.trim();
  if (requested) {
    const entry = registry.find((e) => e.name === requested);
    if (!entry || !(await probe(entry, log))) {
      const available = await availableBackends(registry, log);
      throw new AppError(
        'BACKEND_UNAVAILABLE',
        `compute backend "${requested}" is not available here; available: ${available.join(', ') || 'none'}`,
        { requested, available, known: registry.map((e) => e.name) },
      );
    }
    return activate(entry, log);
  }
  for (const entry of registry) {
    if (await probe(entry, log)) return activate(entry, log);
    // Say why a better backend was passed over, once per choice (e.g. no WebGPU adapter on a CPU host).
    const reason = entry.unavailableReason?.() ?? 'not available';
    log.info({ backend: entry.name, reason }, 'tfjs compute backend skipped');
  }
  throw new AppError('BACKEND_UNAVAILABLE', 'no compute backend is available', { known: registry.map((e) => e.name) });
}

async function activate(entry: BackendEntry, log: NonNullable<ChooseBackendOptions['log']>): Promise<ChosenBackend> {
  let device: string;
  try {
    device = await entry.factory();
  } catch (err) {
    throw new AppError('BACKEND_UNAVAILABLE', `compute backend "${entry.name}" failed to start: ${String(err)}`, {
      requested: entry.name,
    });
  }
  const chosen = { name: entry.name, device };
  log.info(chosen, 'tfjs compute backend');
  return chosen;
}

let current: Promise<ChosenBackend> | undefined;

/** Once per process: the backend TFJS_BACKEND names (or `requested`), else the best available. */
export function ensureBackend(requested?: string, log?: ChooseBackendOptions['log']): Promise<ChosenBackend> {
  current ??= chooseBackend({ requested: requested ?? loadConfig().training.backend, log }).catch((err) => {
    current = undefined; // let a caller retry with another choice
    throw err;
  });
  return current;
}
