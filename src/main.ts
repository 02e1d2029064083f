/**
 * Process entry: `tsx src/main.ts api|worker|scheduler|all` (or `node dist/src/main.js ...`). Each role can run
 * alone so they scale out independently; `all` runs them in one process for a single machine. Every role runs on
 * the process's one composition (src/composition.ts): resources are built once and released last, in reverse order.
 */
import { openComposition } from './composition.js';
import { loadConfig } from './config.js';
import { queueLogger, type Stoppable, startSchedulerRole, startWorkerRole } from './queue/runtime.js';
import { startApi } from './server.js';

const ROLES = ['api', 'worker', 'scheduler', 'all'] as const;
type ProcessRole = (typeof ROLES)[number];

async function start(role: ProcessRole): Promise<Stoppable[]> {
  const config = loadConfig();
  const log = queueLogger(config, role);
  const composition = await openComposition(config, log);
  // Stopped in reverse: roles first (the API stops accepting, workers finish their jobs), the composition last.
  const running: Stoppable[] = [composition];
  if (role === 'api' || role === 'all') running.push(await startApi(config, composition));
  if (role === 'worker' || role === 'all')
    running.push(await startWorkerRole(composition, log.child({ role: 'worker' })));
  if (role === 'scheduler' || role === 'all')
    running.push(await startSchedulerRole(composition, log.child({ role: 'scheduler' })));
  return running;
}

async function main() {
  const role = (process.argv[2] ?? 'all') as ProcessRole;
  if (!ROLES.includes(role)) {
    console.error(`unknown role "${role}"; use one of ${ROLES.join(', ')}`);
    process.exit(2);
  }
  const running = await start(role);
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
