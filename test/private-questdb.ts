/**
 * A QuestDB of a test's own (own ports, own data directory) that the test may kill, stall (SIGSTOP) and restart
 * without disturbing the shared instance the other tests use. Same jar and JVM flags as scripts/services.sh.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';

const JAVA_CANDIDATES = ['/usr/lib/jvm/temurin-25-jdk-amd64/bin/java', `${process.env.JAVA_HOME ?? '/none'}/bin/java`];

function questdbJar(): string {
  const cache = process.env.FLEETSENSE_CACHE_DIR ?? path.join(homedir(), '.cache', 'fleetsense');
  const jar = path.join(cache, `questdb-${process.env.QUESTDB_VERSION ?? '9.3.4'}.jar`);
  if (!existsSync(jar)) throw new Error(`${jar} is missing: run \`npm run services -- up\` once to fetch it`);
  return jar;
}

/** SIGKILL a child and resolve once it has exited (no-op when it is gone already): a crash, for fault tests. */
export async function killNow(proc: ChildProcess | null): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGKILL');
  await exited;
}

export interface PrivateQuestDbPorts {
  readonly http: number;
  readonly pg: number;
  readonly health: number;
  readonly ilpTcp: number;
}

export class PrivateQuestDb {
  private proc: ChildProcess | null = null;
  readonly root = mkdtempSync(path.join(tmpdir(), 'fleetsense-qdb-'));

  constructor(readonly ports: PrivateQuestDbPorts) {}

  get httpUrl(): string {
    return `http://127.0.0.1:${this.ports.http}`;
  }

  /** Environment for loadConfig that points the product at this instance. */
  get env(): Record<string, string> {
    return { QUESTDB_HTTP_URL: this.httpUrl, QUESTDB_PG_PORT: String(this.ports.pg), QUESTDB_PG_HOST: '127.0.0.1' };
  }

  async start(timeoutMs = 60_000): Promise<void> {
    const java = JAVA_CANDIDATES.find((j) => existsSync(j)) ?? 'java';
    const p = this.ports;
    this.proc = spawn(
      java,
      [
        '-Xms128m',
        '-Xmx512m',
        '-XX:+UseParallelGC',
        '--enable-native-access=ALL-UNNAMED',
        '--add-exports',
        'java.base/jdk.internal.math=io.questdb',
        '--add-opens',
        'java.base/jdk.internal.misc=io.questdb',
        '-p',
        questdbJar(),
        '-m',
        'io.questdb/io.questdb.ServerMain',
        '-d',
        this.root,
      ],
      {
        stdio: 'ignore',
        env: {
          ...process.env,
          QDB_TELEMETRY_ENABLED: 'false',
          QDB_HTTP_BIND_TO: `127.0.0.1:${p.http}`,
          QDB_HTTP_MIN_NET_BIND_TO: `127.0.0.1:${p.health}`,
          QDB_PG_NET_BIND_TO: `127.0.0.1:${p.pg}`,
          QDB_LINE_TCP_NET_BIND_TO: `127.0.0.1:${p.ilpTcp}`,
          QDB_LINE_UDP_ENABLED: 'false',
          QDB_SHARED_WORKER_COUNT: '1',
        },
      },
    );
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await this.healthy()) return;
      if (this.proc.exitCode !== null) throw new Error(`private QuestDB exited with ${this.proc.exitCode}`);
      if (Date.now() > deadline) throw new Error(`private QuestDB not healthy within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async healthy(): Promise<boolean> {
    try {
      const res = await fetch(`http://127.0.0.1:${this.ports.health}/status`, { signal: AbortSignal.timeout(1_000) });
      return res.ok;
    } catch {
      return false;
    }
  }

  /** kill -9: the process is gone at once, mid-request, as in a crash. */
  async kill(): Promise<void> {
    await killNow(this.proc);
    this.proc = null;
  }

  stall(): void {
    this.proc?.kill('SIGSTOP');
  }

  resume(): void {
    this.proc?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    this.resume();
    await this.kill();
    rmSync(this.root, { recursive: true, force: true });
  }
}
