/**
 * Process entry: `tsx src/main.ts api|worker|scheduler|retrain|all` (or `node dist/src/main.js ...`), or several
 * roles comma-separated (`api,worker,scheduler`). Each role can run alone so they scale out independently; `all`
 * runs every role in one process for a single machine. `retrain` trains through the compiled training entry points
 * (child processes; src/queue/training-entry.ts), so it belongs on the hosts that train (the GPU train image).
 * Every role runs on the process's one composition (src/composition.ts): resources are built once and released
 * last, in reverse order.
 */
import { openComposition } from './composition.js';
import { loadConfig } from './config.js';
import { startRetrainRole } from './queue/retrain-worker.js';
import { queueLogger, type Stoppable, startSchedulerRole, startWorkerRole } from './queue/runtime.js';
import { startApi } from './server.js';

const ROLES = ['api', 'worker', 'scheduler', 'retrain'] as const;
type ProcessRole = (typeof ROLES)[number];

async function start(arg: string, roles: ReadonlySet<ProcessRole>): Promise<Stoppable[]> {
  const config = loadConfig();
  const log = queueLogger(config, arg);
  const composition = await openComposition(config, log);
  // Stopped in reverse: roles first (the API stops accepting, workers finish their jobs), the composition last.
  const running: Stoppable[] = [composition];
  if (roles.has('api')) running.push(await startApi(config, composition));
  if (roles.has('worker')) running.push(await startWorkerRole(composition, log.child({ role: 'worker' })));
  if (roles.has('scheduler')) running.push(await startSchedulerRole(composition, log.child({ role: 'scheduler' })));
  if (roles.has('retrain')) running.push(await startRetrainRole(composition, log.child({ role: 'retrain' })));
  return running;
}

/** `all`, one role, or roles comma-separated; undefined when a name is no role. */
function rolesOf(arg: string): Set<ProcessRole> | undefined {
  const names = arg === 'all' ? [...ROLES] : arg.split(',').map((s) => s.trim());
  if (names.length === 0 || !names.every((n) => (ROLES as readonly string[]).includes(n))) return undefined;
  return new Set(names as ProcessRole[]);
}

async function main() {
  const arg = process.argv[2] ?? 'all';
  const roles = rolesOf(arg);
  if (!roles) {
    console.error(`unknown role "${arg}"; use all, or one or more of ${ROLES.join(', ')} (comma-separated)`);
    process.exit(2);
  }
  const running = await start(arg, roles);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`${signal}: shutting down`);
    const deadline = setTimeout(() => process.exit(1), 30_000);
    deadline.unref();
    for (const s of running.reverse()) await s.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
