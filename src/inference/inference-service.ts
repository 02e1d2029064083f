/**
 * The serving core: loads the active version of every model into worker-thread ONNX Runtime sessions, runs
 * requests through a micro-batcher per model version, and swaps versions atomically.
 *
 * Hot swap: `promote` loads and warms the new version first, persists ACTIVE, then switches one reference. A
 * request takes a reference-counted lease on the version it resolved at its start and keeps it to the end, so it
 * never sees two versions; a retired version is released only when its last lease ends.
 */

import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { ModelFamily } from '../features/model-metadata.js';
import type {
  InferenceLog,
  InferenceObserver,
  InferenceResult,
  InferenceStatus,
  ModelInfo,
  ModelLease,
} from './inference-types.js';
import { type LoadedVersion, leaseOf, newLoadedVersion } from './loaded-version.js';
import { ModelStore, type ShadowRegistration, type StoredVersion } from './model-store.js';
import { SessionWorkerPool } from './worker-pool.js';

export interface InferenceServiceOptions {
  readonly observer?: InferenceObserver;
  /**
   * Re-read every model's ACTIVE file this often and follow it, so a promote on one API replica (which shares the
   * models directory) reaches the others. 0: never. @defaultValue 10_000
   */
  readonly syncIntervalMs?: number;
}

const keyOf = (name: string, version: string) => `${name}@${version}`;

export class InferenceService {
  private readonly versions = new Map<string, StoredVersion[]>();
  private readonly loaded = new Map<string, Promise<LoadedVersion>>();
  private readonly active = new Map<string, LoadedVersion>();
  private readonly errors = new Map<string, string>();
  private readonly promoting = new Map<string, Promise<unknown>>();
  private syncTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly config: Config['models'],
    private readonly log: InferenceLog,
    private readonly store: ModelStore,
    private readonly pool: SessionWorkerPool,
    private readonly observer: InferenceObserver,
  ) {}

  static async open(config: Config, log: InferenceLog, opts: InferenceServiceOptions = {}): Promise<InferenceService> {
    const m = config.models;
    const pool = SessionWorkerPool.start(m.inferenceWorkers, log);
    const svc = new InferenceService(m, log, new ModelStore(m.dir), pool, opts.observer ?? {});
    await svc.refresh();
    const every = opts.syncIntervalMs ?? 10_000;
    if (every > 0) {
      svc.syncTimer = setInterval(() => {
        svc.sync().catch((err: unknown) => log.warn({ err: String(err) }, 'model sync failed; will retry'));
      }, every);
      svc.syncTimer.unref();
    }
    return svc;
  }

  /** Follow ACTIVE files changed by another process, and serve models that appeared on disk. */
  async sync(): Promise<void> {
    await this.refresh();
    for (const [name, entry] of this.active) {
      const pinned = await this.store.readActive(name);
      if (pinned && pinned !== entry.stored.version) {
        this.log.info({ model: name, from: entry.stored.version, to: pinned }, 'ACTIVE changed on disk; following it');
        await this.switchTo(name, pinned, false);
      }
    }
  }

  /** Rescan the models directory: pick up new versions, and serve models that appeared since the last scan. */
  async refresh(): Promise<void> {
    for (const name of await this.store.names()) {
      this.versions.set(name, await this.store.versions(name));
      if (this.active.has(name)) continue;
      try {
        await this.activate(name, await this.initialVersion(name));
        this.errors.delete(name);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.errors.set(name, message);
        this.log.error({ model: name, err: message }, 'model could not be loaded; not serving it');
      }
    }
  }

  private async initialVersion(name: string): Promise<string> {
    const versions = this.versions.get(name) ?? [];
    const pinned = await this.store.readActive(name);
    if (pinned && versions.some((v) => v.version === pinned)) return pinned;
    if (pinned)
      this.log.warn({ model: name, pinned }, 'ACTIVE names a version that is not servable; serving the newest');
    return versions[0].version;
  }

  private load(name: string, version: string): Promise<LoadedVersion> {
    const key = keyOf(name, version);
    let p = this.loaded.get(key);
    if (!p) {
      p = this.loadNow(name, version, key);
      this.loaded.set(key, p);
      p.catch(() => this.loaded.delete(key));
    }
    return p;
  }

  private async loadNow(name: string, version: string, key: string): Promise<LoadedVersion> {
    const stored = await this.store.read(name, version);
    const session = await this.pool.load(key, stored.onnxPath, this.config.executionProviders, {
      intraOpThreads: this.config.intraOpThreads,
    });
    for (const f of session.failures) {
      this.log.warn(
        { model: key, ep: f.ep, reason: f.reason },
        `execution provider ${f.ep} unavailable for ${key}: ${f.reason}`,
      );
    }
    this.log.info({ model: key, ep: session.ep, loadMs: Math.round(session.loadMs) }, `loaded ${key} on ${session.ep}`);
    return newLoadedVersion(key, stored, session, this.pool, this.config, this.observer);
  }

  private async activate(name: string, version: string): Promise<void> {
    const entry = await this.load(name, version);
    const previous = this.active.get(name);
    this.active.set(name, entry);
    entry.retired = false;
    this.observer.activated?.(name, version, entry.session.ep, previous?.stored.version);
    if (previous && previous !== entry) this.retire(previous);
  }

  private retire(entry: LoadedVersion): void {
    entry.retired = true;
    if (entry.refs === 0) void this.release(entry);
  }

  private async release(entry: LoadedVersion): Promise<void> {
    if (entry.released) return;
    entry.released = true;
    this.loaded.delete(entry.key);
    await this.pool.release(entry.key);
    this.log.info({ model: entry.key }, `released ${entry.key}`);
  }

  private async acquire(name: string, version?: string): Promise<LoadedVersion> {
    const current = this.active.get(name);
    if (!current) throw this.unknownModel(name);
    if (version === undefined || version === current.stored.version) {
      current.refs++;
      return current;
    }
    for (;;) {
      const entry = await this.load(name, version);
      if (entry.released) continue; // drained and released while we awaited: load it again
      entry.refs++;
      return entry;
    }
  }

  private unlease(entry: LoadedVersion): void {
    entry.refs--;
    if (entry.refs === 0 && entry.retired) void this.release(entry);
  }

  private unknownModel(name: string): AppError {
    const known = [...this.active.keys()];
    return new AppError('MODEL_NOT_FOUND', `unknown model "${name}"`, { model: name, known });
  }

  /** Run `fn` with one model version held: everything it runs uses that version, even if a promote lands meanwhile. */
  async withModel<T>(name: string, opts: { version?: string }, fn: (lease: ModelLease) => Promise<T>): Promise<T> {
    const entry = await this.acquire(name, opts.version);
    try {
      return await fn(leaseOf(entry, this.observer, this.log));
    } finally {
      this.unlease(entry);
    }
  }

  /**
   * The candidate registered as `name`'s shadow (models/<name>/SHADOW), unless it is the version served now (a
   * promoted shadow is the champion). Read from disk each call, so every worker follows a new registration at once.
   */
  async shadowOf(name: string): Promise<ShadowRegistration | undefined> {
    const shadow = await this.store.readShadow(name).catch(() => undefined);
    return shadow && shadow.version !== this.active.get(name)?.stored.version ? shadow : undefined;
  }

  run(
    name: string,
    input: Float32Array,
    dims: readonly number[],
    opts: { version?: string } = {},
  ): Promise<InferenceResult> {
    return this.withModel(name, opts, (lease) => lease.run(input, dims));
  }

  /** Make `version` the active one: load and warm it, persist ACTIVE, switch, then drain and release the old one. */
  async promote(name: string, version: string): Promise<ModelInfo> {
    // A version trained since the last scan (the sync floor rescans every syncIntervalMs) is looked for on disk now.
    if (!this.versions.get(name)?.some((v) => v.version === version)) await this.refresh();
    if (!this.versions.has(name)) throw this.unknownModel(name);
    await this.switchTo(name, version, true);
    return this.model(name);
  }

  /** Promotes of one model run one at a time, in call order. */
  private switchTo(name: string, version: string, persist: boolean): Promise<void> {
    const previous = this.promoting.get(name) ?? Promise.resolve();
    const next = previous
      .catch(() => {})
      .then(async () => {
        await this.store.read(name, version); // MODEL_NOT_FOUND before touching anything
        await this.load(name, version);
        if (persist) await this.store.writeActive(name, version);
        await this.activate(name, version);
        this.versions.set(name, await this.store.versions(name));
        // Versions loaded on request are dropped on promote so loaded sessions stay bounded.
        for (const [key, p] of this.loaded) {
          if (!key.startsWith(`${name}@`) || key === keyOf(name, version)) continue;
          void p.then((e) => this.retire(e)).catch(() => {});
        }
      });
    this.promoting.set(name, next);
    return next;
  }

  model(name: string): ModelInfo {
    const entry = this.active.get(name);
    if (!entry) throw this.unknownModel(name);
    return {
      name,
      family: entry.stored.metadata.family,
      activeVersion: entry.stored.version,
      metadata: entry.stored.metadata,
      rowDims: entry.rowDims,
      executionProvider: entry.session.ep,
      versions: (this.versions.get(name) ?? [entry.stored]).map((v) => ({
        version: v.version,
        family: v.metadata.family,
        createdAt: v.metadata.createdAt,
        metrics: v.metadata.metrics,
        threshold: v.metadata.threshold?.value,
        active: v.version === entry.stored.version,
        loaded: this.loaded.has(keyOf(name, v.version)),
        executionProvider: v.version === entry.stored.version ? entry.session.ep : undefined,
      })),
    };
  }

  models(): ModelInfo[] {
    return [...this.active.keys()].sort().map((n) => this.model(n));
  }

  /** The active model of a family (the first by name when several exist). */
  modelFor(family: ModelFamily): ModelInfo {
    const found = this.models().find((m) => m.family === family);
    if (!found) throw new AppError('MODEL_NOT_FOUND', `no ${family} model is being served`, { family });
    return found;
  }

  status(): InferenceStatus {
    return {
      workers: this.pool.size,
      models: [...this.active.values()].map((e) => ({
        name: e.stored.name,
        version: e.stored.version,
        executionProvider: e.session.ep,
        loadMs: Math.round(e.session.loadMs),
      })),
      errors: [...this.errors].map(([name, message]) => ({ name, message })),
    };
  }

  async close(): Promise<void> {
    if (this.syncTimer) clearInterval(this.syncTimer);
    await this.pool.close();
  }
}
