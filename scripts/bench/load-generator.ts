/**
 * autocannon in a process of its own, so the load generator shares no event loop with the bench or the server,
 * and its CPU time is measured apart (process.cpuUsage of the child over the timed run): on a 2-core machine it
 * takes a share the server cannot have, and a report says how much.
 */
import { fork } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

/** argv[2] of the forked load process. */
const LOAD_MARK = '--bench-load-generator';

export interface LoadOptions {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string | Uint8Array;
  readonly connections: number;
  /** Seconds of warm-up (not measured), then seconds measured. */
  readonly warmSeconds: number;
  readonly seconds: number;
}

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
  /** The load process's CPU time over the timed run / (wall time × cores): its share of the whole machine. */
  readonly cpuShare: number;
  readonly wallSeconds: number;
}

async function generate(o: LoadOptions): Promise<LoadResult> {
  const opts = {
    url: o.url,
    method: 'POST' as const,
    headers: o.headers,
    body: typeof o.body === 'string' ? o.body : Buffer.from(o.body),
    connections: o.connections,
  };
  if (o.warmSeconds > 0) await autocannon({ ...opts, duration: o.warmSeconds });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const res = await autocannon({ ...opts, duration: o.seconds });
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return {
    requestsPerSecond: res.requests.total / wallSeconds,
    p50: res.latency.p50,
    p99: res.latency.p99,
    non2xx: res.non2xx,
    errors: res.errors,
    cpuShare: (cpu.user + cpu.system) / 1e6 / (wallSeconds * os.cpus().length),
    wallSeconds,
  };
}

/** Run one load in a fresh child process; resolves with what it measured. */
export function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const child = fork(fileURLToPath(import.meta.url), [LOAD_MARK], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    serialization: 'advanced', // a binary body crosses as bytes
  });
  return new Promise<LoadResult>((resolve, reject) => {
    child.once('message', (m: { result?: LoadResult; error?: string }) => {
      child.disconnect();
      if (m.result) resolve(m.result);
      else reject(new Error(`load generator: ${m.error}`));
    });
    child.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
    child.send(opts);
  });
}

if (process.argv[2] === LOAD_MARK) {
  process.once('message', (o: LoadOptions) => {
    generate(o).then(
      (result) => process.send?.({ result }),
      (err: unknown) => process.send?.({ error: err instanceof Error ? err.stack : String(err) }),
    );
  });
}
