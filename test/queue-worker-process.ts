/**
 * Worker processes for the queue tests: fork test/queue-worker-child.ts on a harness's prefix, read its IPC
 * messages (ready, executing, audited, closed), and SIGKILL it at the moment a test chooses.
 */
import { type ChildProcess, fork } from 'node:child_process';

export type WorkerMessage = { type: string; pid: number; actionId?: string; attempt?: number };

export interface WorkerProcess {
  readonly proc: ChildProcess;
  readonly messages: WorkerMessage[];
  /** The first message of `type` (already received or the next one), or a rejection after `timeoutMs`. */
  next(type: string, timeoutMs?: number): Promise<WorkerMessage>;
}

const children: ChildProcess[] = [];

export function spawnWorker(prefix: string, env: Record<string, string> = {}): WorkerProcess {
  const proc = fork(new URL('./queue-worker-child.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, FSQ_PREFIX: prefix, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(proc);
  const messages: WorkerMessage[] = [];
  const waiters: Array<() => void> = [];
  proc.on('message', (m: WorkerMessage) => {
    messages.push(m);
    for (const w of waiters.splice(0)) w();
  });
  return {
    proc,
    messages,
    next(type, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "${type}" message within ${timeoutMs} ms`)), timeoutMs);
        const check = () => {
          const found = messages.find((m) => m.type === type);
          if (found) {
            clearTimeout(timer);
            resolve(found);
          } else waiters.push(check);
        };
        check();
      });
    },
  };
}

/** SIGKILL: no shutdown hook runs, the job's lock is simply never renewed (as on kill -9, OOM or a lost host). */
export async function killWorker(child: WorkerProcess): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  const exited = new Promise((r) => child.proc.once('exit', r));
  child.proc.kill('SIGKILL');
  await exited;
}

/** For afterEach: kill every worker process still running. */
export function killAllWorkers(): void {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}
