/**
 * A fixed pool of session workers. Every worker holds a session for every loaded key, so any worker can run any
 * batch; a batch goes to the worker with the fewest batches in flight. A worker that dies fails only its own
 * in-flight batches, and is replaced with its sessions reloaded.
 */
import { Worker } from 'node:worker_threads';
import { AppError } from '../errors.js';
import type { InferenceLog } from './inference-types.js';
import type { FromWorker, LoadedSession, SessionOptionsMessage, TensorMessage, ToWorker } from './worker-protocol.js';

/** How long a batch waits for a replacement worker when every worker has died. */
const READY_WAIT_MS = 10_000;

type Pending = { resolve: (m: FromWorker) => void; reject: (e: Error) => void; settled: Promise<unknown> };

interface Slot {
  worker: Worker;
  ready: boolean;
  inFlight: number;
  pending: Map<number, Pending>;
}

interface LoadedKey {
  path: string;
  ep: string;
  options: SessionOptionsMessage;
}

export interface BatchResult {
  readonly outputs: Readonly<Record<string, TensorMessage>>;
  readonly runMs: number;
}

/** The worker entry next to this file; under tsx/vitest it is TypeScript and needs tsx's loader in the worker. */
export function spawnSessionWorker(): Worker {
  const ts = import.meta.url.endsWith('.ts');
  const entry = new URL(`./session-worker.${ts ? 'ts' : 'js'}`, import.meta.url);
  if (!ts) return new Worker(entry);
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { eval: true });
}

export class SessionWorkerPool {
  private readonly slots: Slot[] = [];
  private readonly keys = new Map<string, LoadedKey>();
  private nextId = 1;
  private readonly readyWaiters: Array<() => void> = [];
  private closed = false;

  private constructor(
    readonly size: number,
    private readonly log: InferenceLog,
    private readonly spawnThread: () => Worker,
  ) {}

  /** `spawn` makes one session worker thread (default: `spawnSessionWorker`; tests wrap it to observe threads). */
  static start(size: number, log: InferenceLog, spawn: () => Worker = spawnSessionWorker): SessionWorkerPool {
    return new SessionWorkerPool(Math.max(1, size), log, spawn);
  }

  private spawn(index: number): Slot {
    const slot: Slot = { worker: this.spawnThread(), ready: true, inFlight: 0, pending: new Map() };
    slot.worker.on('message', (msg: FromWorker) => {
      const p = slot.pending.get(msg.id);
      if (!p) return;
      slot.pending.delete(msg.id);
      if (msg.type === 'failed') {
        const code =
          msg.code === 'BACKEND_UNAVAILABLE' || msg.code === 'INVALID_WINDOW' ? msg.code : 'INFERENCE_FAILED';
        p.reject(new AppError(code, msg.message, msg.details));
      } else p.resolve(msg);
    });
    const onDeath = (why: string) => {
      if (this.slots[index] !== slot) return;
      slot.ready = false;
      for (const p of slot.pending.values())
        p.reject(new AppError('INFERENCE_FAILED', `inference worker ${index} ${why}`));
      slot.pending.clear();
      if (!this.closed) void this.replace(index, why);
    };
    slot.worker.on('error', (err) => onDeath(`crashed: ${err.message}`));
    slot.worker.on('exit', (code) => onDeath(`exited with code ${code}`));
    return slot;
  }

  private async replace(index: number, why: string): Promise<void> {
    this.log.error({ worker: index, why }, 'inference worker died; replacing it');
    const slot = this.spawn(index);
    slot.ready = false;
    this.slots[index] = slot;
    try {
      for (const [key, k] of this.keys)
        await this.send(slot, { type: 'load', id: 0, key, path: k.path, providers: [k.ep], options: k.options });
      slot.ready = true;
      for (const wake of this.readyWaiters.splice(0)) wake();
    } catch (err) {
      this.log.error({ worker: index, err }, 'replacement inference worker could not reload its sessions');
    }
  }

  private send(slot: Slot, msg: ToWorker, transfer: ArrayBuffer[] = []): Promise<FromWorker> {
    const id = this.nextId++;
    let pending!: Pending;
    const settled = new Promise<FromWorker>((resolve, reject) => {
      pending = { resolve, reject, settled: Promise.resolve() };
    });
    pending.settled = settled.catch(() => undefined);
    slot.pending.set(id, pending);
    slot.worker.postMessage({ ...msg, id }, transfer);
    return settled;
  }

  /**
   * Load `key` on every worker. The first worker tries the providers in order; the rest go straight to the
   * provider it got, so a fallback is attempted (and logged) once per model version, not once per worker.
   */
  async load(
    key: string,
    path: string,
    providers: readonly string[],
    options: SessionOptionsMessage,
  ): Promise<LoadedSession> {
    if (this.closed) throw new AppError('INFERENCE_FAILED', 'inference pool is closed');
    // Workers start with the first model, so an API with nothing to serve starts no threads.
    while (this.slots.length < this.size) this.slots.push(this.spawn(this.slots.length));
    const first = await this.send(this.slots[0], { type: 'load', id: 0, key, path, providers, options });
    if (first.type !== 'loaded') throw new AppError('INFERENCE_FAILED', `unexpected reply ${first.type} to load`);
    const { ep } = first.session;
    try {
      await Promise.all(
        this.slots.slice(1).map((s) => this.send(s, { type: 'load', id: 0, key, path, providers: [ep], options })),
      );
    } catch (err) {
      await this.release(key);
      throw err;
    }
    this.keys.set(key, { path, ep, options });
    return first.session;
  }

  /** Run one batch on the least busy worker. The input's buffer is transferred (the caller must not reuse it). */
  async run(key: string, input: TensorMessage): Promise<BatchResult> {
    if (this.closed) throw new AppError('INFERENCE_FAILED', 'inference pool is closed');
    const chosen = this.leastBusy() ?? (await this.untilReady());
    chosen.inFlight++;
    try {
      const reply = await this.send(chosen, { type: 'run', id: 0, key, input }, [input.data]);
      if (reply.type !== 'result') throw new AppError('INFERENCE_FAILED', `unexpected reply ${reply.type} to run`);
      return { outputs: reply.outputs, runMs: reply.runMs };
    } finally {
      chosen.inFlight--;
    }
  }

  private leastBusy(): Slot | undefined {
    let slot: Slot | undefined;
    for (const s of this.slots) if (s.ready && (!slot || s.inFlight < slot.inFlight)) slot = s;
    return slot;
  }

  /** Every worker is being replaced: wait for one to come back rather than fail at once. */
  private async untilReady(): Promise<Slot> {
    const deadline = Date.now() + READY_WAIT_MS;
    for (;;) {
      const slot = this.leastBusy();
      if (slot) return slot;
      if (this.closed || Date.now() > deadline) throw new AppError('INFERENCE_FAILED', 'no inference worker is ready');
      await new Promise<void>((resolve) => {
        this.readyWaiters.push(resolve);
        setTimeout(resolve, 50).unref();
      });
    }
  }

  /** Release `key`'s session on every worker (after its batches are done: the worker handles messages in order). */
  async release(key: string): Promise<void> {
    this.keys.delete(key);
    await Promise.allSettled(
      this.slots.filter((s) => s.ready).map((s) => this.send(s, { type: 'release', id: 0, key })),
    );
  }

  /**
   * Stop taking work, let batches in flight finish (up to `drainMs`), release every session, then end the
   * threads. Terminating a worker inside a native session.run aborts the whole process, so never skip the drain.
   */
  async close(drainMs = 10_000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const deadline = Date.now() + drainMs;
    while (this.slots.some((s) => s.pending.size > 0) && Date.now() < deadline) {
      await Promise.allSettled(this.slots.flatMap((s) => [...s.pending.values()].map((p) => p.settled)));
    }
    for (const key of [...this.keys.keys()]) await this.release(key);
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    for (const s of this.slots) {
      for (const p of s.pending.values()) p.reject(new AppError('INFERENCE_FAILED', 'inference pool closed'));
      s.pending.clear();
    }
  }
}
