/** The executor named by configuration (`REMEDIATION_EXECUTOR`); dry-run unless another one is configured. */
import type { Config } from '../../config.js';
import { kubernetesExecutor, nvidiaSmiExecutor, slurmExecutor } from './command.js';
import { DryRunExecutor } from './dry-run.js';
import type { ActionExecutor } from './types.js';
import { WebhookExecutor } from './webhook.js';

export function executorFor(cfg: Config['queue']): ActionExecutor {
  switch (cfg.executor) {
    case 'webhook':
      return new WebhookExecutor({ url: cfg.webhookUrl, secret: cfg.webhookSecret });
    case 'slurm':
      return slurmExecutor();
    case 'kubernetes':
      return kubernetesExecutor();
    case 'nvidia-smi':
      return nvidiaSmiExecutor();
    default:
      return new DryRunExecutor();
  }
}

export type { ActionExecutor, ExecutableAction, ExecutionContext, ExecutionOutcome } from './types.js';
