/**
 * Executor for command-line adapters (Slurm, Kubernetes, nvidia-smi): builds argv arrays for the action, logs the
 * exact commands, and runs them in order with a timeout (or, in dry-run, only reports them).
 */
import { type CommandBuilder, kubernetesCommands, nvidiaSmiCommands, slurmCommands } from './commands.js';
import { type CommandRunner, formatArgv, runCommand } from './run-command.js';
import type { ActionExecutor, ExecutableAction, ExecutionContext, ExecutionOutcome } from './types.js';

export interface CommandExecutorOptions {
  /** Per command. @defaultValue 120000 */
  readonly timeoutMs?: number;
  /** Injected in tests. @defaultValue runCommand (execFile, no shell) */
  readonly runner?: CommandRunner;
}

export class CommandExecutor implements ActionExecutor {
  private readonly timeoutMs: number;
  private readonly runner: CommandRunner;

  constructor(
    readonly name: string,
    private readonly build: CommandBuilder,
    opts: CommandExecutorOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 120_000;
    this.runner = opts.runner ?? runCommand;
  }

  async execute(action: ExecutableAction, ctx: ExecutionContext): Promise<ExecutionOutcome> {
    const commands = this.build(action);
    const lines = commands.map(formatArgv);
    if (ctx.dryRun) {
      ctx.log.info({ actionId: action.id, commands: lines }, 'dry run: would run');
      return { result: 'dry-run', detail: `would run: ${lines.join(' && ')}` };
    }
    for (const argv of commands) {
      ctx.log.info({ actionId: action.id, attempt: ctx.attempt, command: formatArgv(argv) }, 'running');
      await this.runner(argv, this.timeoutMs);
    }
    return { result: 'succeeded', detail: `ran: ${lines.join(' && ')}` };
  }
}

export const slurmExecutor = (opts?: CommandExecutorOptions) => new CommandExecutor('slurm', slurmCommands, opts);
export const kubernetesExecutor = (opts?: CommandExecutorOptions) =>
  new CommandExecutor('kubernetes', kubernetesCommands, opts);
export const nvidiaSmiExecutor = (opts?: CommandExecutorOptions) =>
  new CommandExecutor('nvidia-smi', nvidiaSmiCommands, opts);
