/**
 * Process entry: `tsx src/main.ts api|worker|scheduler|all` (or `node dist/src/main.js ...`). Each role can run
 * alone so they scale out independently; `all` runs them in one process for a single machine.
 */
import { loadConfig } from './config.js';
import { startSchedulerRole, startWorkerRole } from './queue/runtime.js';
import { startApi } from './server.js';

type Stoppable = { close(): Promise<unknown> };
const ROLES = ['api', 'worker', 'scheduler', 'all'] as const;
type ProcessRole = (typeof ROLES)[number];

async function start(role: ProcessRole): Promise<Stoppable[]> {
  const config = loadConfig();
  const running: Stoppable[] = [];
  if (role === 'api' || role === 'all') running.push(await startApi(config));
  if (role === 'worker' || role === 'all') running.push(await startWorkerRole(config));
  if (role === 'scheduler' || role === 'all') running.push(await startSchedulerRole(config));
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
