/**
 * Executor for command-line adapters (Slurm, Kubernetes, nvidia-smi): builds the action's steps, logs the exact
 * commands, and runs them in order with a timeout (or, in dry-run, only reports them). Before a step with a state
 * check, it runs the check and skips the step when the target is already in the wanted state, so an attempt that
 * repeats an earlier one (at-least-once) does not act twice; the detail says what ran and what was skipped.
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
    const steps = this.build(action);
    const lines = steps.map((s) => formatArgv(s.argv));
    if (ctx.dryRun) {
      const checks = steps.flatMap((s) => (s.check ? [formatArgv(s.check.argv)] : []));
      ctx.log.info({ actionId: action.id, commands: lines, checks }, 'dry run: would run');
      const unless = checks.length ? ` (each skipped if already done, checked with: ${checks.join(' && ')})` : '';
      return { result: 'dry-run', detail: `would run: ${lines.join(' && ')}${unless}` };
    }
    const ran: string[] = [];
    const skipped: string[] = [];
    for (const step of steps) {
      const line = formatArgv(step.argv);
      const base = { actionId: action.id, attempt: ctx.attempt, command: line };
      if (step.check) {
        const state = step.check.parse((await this.runner(step.check.argv, this.timeoutMs)).stdout);
        if (state.done) {
          ctx.log.info({ ...base, state: state.state }, 'already done; skipped');
          skipped.push(`${line} (already: ${state.state})`);
          continue;
        }
      }
      ctx.log.info(base, 'running');
      await this.runner(step.argv, this.timeoutMs);
      ran.push(line);
    }
    const parts = [ran.length ? `ran: ${ran.join(' && ')}` : 'ran nothing'];
    if (skipped.length) parts.push(`skipped: ${skipped.join('; ')}`);
    return { result: 'succeeded', detail: parts.join('; ') };
  }
}

export const slurmExecutor = (opts?: CommandExecutorOptions) => new CommandExecutor('slurm', slurmCommands, opts);
export const kubernetesExecutor = (opts?: CommandExecutorOptions) =>
  new CommandExecutor('kubernetes', kubernetesCommands, opts);
export const nvidiaSmiExecutor = (opts?: CommandExecutorOptions) =>
  new CommandExecutor('nvidia-smi', nvidiaSmiCommands, opts);
