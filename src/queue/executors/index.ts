/**
 * The executor configuration asks for (`REMEDIATION_EXECUTOR`; dry-run unless another is configured). A command
 * adapter (Slurm, Kubernetes, nvidia-smi) handles only the action types it has commands for; every other type
 * (tickets, alerts, application restarts ...) goes to the webhook when REMEDIATION_WEBHOOK_URL is set, else to
 * the dry-run executor, so it is still described and audited rather than failed.
 */
import type { Config } from '../../config.js';
import type { ActionType } from '../../recommend/types.js';
import { kubernetesExecutor, nvidiaSmiExecutor, slurmExecutor } from './command.js';
import { COMMAND_TYPES } from './commands.js';
import { DryRunExecutor } from './dry-run.js';
import type { ActionExecutor, ExecutableAction, ExecutionContext, ExecutionOutcome } from './types.js';
import { WebhookExecutor } from './webhook.js';

/** Sends each action to `primary` when it handles the type, else to `fallback`; reports which one ran. */
export class RoutingExecutor implements ActionExecutor {
  readonly name: string;

  constructor(
    private readonly primary: ActionExecutor,
    private readonly handles: ReadonlySet<ActionType>,
    private readonly fallback: ActionExecutor,
  ) {
    this.name = `${primary.name}+${fallback.name}`;
  }

  executorFor(action: ExecutableAction): ActionExecutor {
    return this.handles.has(action.type) ? this.primary : this.fallback;
  }

  async execute(action: ExecutableAction, ctx: ExecutionContext): Promise<ExecutionOutcome> {
    const exec = this.executorFor(action);
    const out = await exec.execute(action, ctx);
    return { ...out, detail: `[${exec.name}] ${out.detail}` };
  }
}

export function executorFor(cfg: Config['queue']): ActionExecutor {
  const webhook = () => new WebhookExecutor({ url: cfg.webhookUrl, secret: cfg.webhookSecret });
  const fallback = (): ActionExecutor => (cfg.webhookUrl ? webhook() : new DryRunExecutor());
  switch (cfg.executor) {
    case 'webhook':
      return webhook();
    case 'slurm':
      return new RoutingExecutor(slurmExecutor(), COMMAND_TYPES.slurm, fallback());
    case 'kubernetes':
      return new RoutingExecutor(kubernetesExecutor(), COMMAND_TYPES.kubernetes, fallback());
    case 'nvidia-smi':
      return new RoutingExecutor(nvidiaSmiExecutor(), COMMAND_TYPES['nvidia-smi'], fallback());
    default:
      return new DryRunExecutor();
  }
}

export type { ActionExecutor, ExecutableAction, ExecutionContext, ExecutionOutcome } from './types.js';
