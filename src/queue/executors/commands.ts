/**
 * Command construction for the cluster-manager adapters: an action becomes steps — an argv array each, with the
 * read-only state check that runs before it where the tool has one (target-state.ts) — built here and nowhere
 * else, so the unit tests see exactly what runs. Names are checked against a strict pattern first: a node called
 * `--all` must never turn into an option.
 */
import { UnrecoverableError } from 'bullmq';
import type { ActionType } from '../../recommend/types.js';
import {
  kubectlCordonCheck,
  nvidiaSmiPowerLimitCheck,
  type StateCheck,
  slurmDrainCheck,
  slurmRebootCheck,
} from './target-state.js';
import type { ExecutableAction } from './types.js';

/** One command, skipped when its `check` shows the effect already in place. */
export interface CommandStep {
  readonly argv: string[];
  /** Absent where the tool cannot tell (a GPU reset) or the command is safe to repeat (`kubectl drain`). */
  readonly check?: StateCheck;
}

export type CommandBuilder = (action: ExecutableAction) => CommandStep[];

/** The action types each adapter has commands for; others go to the fallback executor (see executors/index.ts). */
export const COMMAND_TYPES: Readonly<Record<'slurm' | 'kubernetes' | 'nvidia-smi', ReadonlySet<ActionType>>> = {
  slurm: new Set<ActionType>(['drain_node', 'migrate_job', 'reboot_node']),
  kubernetes: new Set<ActionType>(['drain_node']),
  'nvidia-smi': new Set<ActionType>(['power_cap_gpu', 'reset_gpu']),
};

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function checkedName(kind: string, value: string | undefined): string {
  if (!value || !NAME.test(value)) throw new UnrecoverableError(`${kind} "${value ?? ''}" is not a valid name`);
  return value;
}

/** The node an action applies to: the target for node targets, the device's node for GPU targets. */
export function nodeOf(action: ExecutableAction): string {
  const t = action.target;
  return checkedName('node', t.kind === 'node' ? t.id : (t.node ?? t.id.split('/')[0]));
}

/** The GPU index on its node (`node/3` → `3`). */
export function gpuIndexOf(action: ExecutableAction): string {
  if (action.target.kind !== 'gpu') throw new UnrecoverableError(`${action.type} needs a gpu target`);
  const idx = action.target.id.split('/')[1];
  if (!idx || !/^\d{1,3}$/.test(idx)) throw new UnrecoverableError(`gpu "${action.target.id}" has no numeric index`);
  return idx;
}

/** Slurm keeps the reason as one line; keep it short and printable. */
function slurmReason(action: ExecutableAction): string {
  const r = `fleetsense ${action.id}: ${action.reason}`.replace(/[\r\n\t]+/g, ' ');
  return r.slice(0, 200);
}

export const slurmDrain = (node: string, reason: string): string[] => [
  'scontrol',
  'update',
  `nodename=${checkedName('node', node)}`,
  'state=drain',
  `reason=${reason}`,
];
export const slurmResume = (node: string): string[] => [
  'scontrol',
  'update',
  `nodename=${checkedName('node', node)}`,
  'state=resume',
];

export const slurmCommands: CommandBuilder = (action) => {
  if (action.type === 'drain_node' || action.type === 'migrate_job') {
    const node = nodeOf(action);
    return [{ argv: slurmDrain(node, slurmReason(action)), check: slurmDrainCheck(node) }];
  }
  if (action.type === 'reboot_node') {
    // Reboot once the node is idle, then return it to service; not again while a reboot is pending.
    const node = nodeOf(action);
    const argv = ['scontrol', 'reboot', 'ASAP', 'nextstate=resume', `reason=${slurmReason(action)}`, node];
    return [{ argv, check: slurmRebootCheck(node) }];
  }
  throw new UnrecoverableError(`the slurm executor has no command for ${action.type}`);
};

export const kubectlCordon = (node: string): string[] => ['kubectl', 'cordon', checkedName('node', node)];
export const kubectlDrain = (node: string): string[] => [
  'kubectl',
  'drain',
  checkedName('node', node),
  '--ignore-daemonsets',
  '--delete-emptydir-data',
];

export const kubernetesCommands: CommandBuilder = (action) => {
  if (action.type === 'drain_node') {
    const node = nodeOf(action);
    // Drain has no check: it evicts only the pods still on the node, so repeating it finishes an interrupted one.
    return [{ argv: kubectlCordon(node), check: kubectlCordonCheck(node) }, { argv: kubectlDrain(node) }];
  }
  throw new UnrecoverableError(`the kubernetes executor has no command for ${action.type}`);
};

export const nvidiaSmiPowerLimit = (gpu: string, watts: number): string[] => {
  if (!Number.isFinite(watts) || watts < 50 || watts > 2_000) {
    throw new UnrecoverableError(`power limit ${watts} W is outside 50..2000 W`);
  }
  return ['nvidia-smi', '-i', gpu, '-pl', String(Math.round(watts))];
};
export const nvidiaSmiReset = (gpu: string): string[] => ['nvidia-smi', '--gpu-reset', '-i', gpu];

export const nvidiaSmiCommands: CommandBuilder = (action) => {
  if (action.type === 'power_cap_gpu') {
    const watts = Number(action.params?.powerCapW);
    const gpu = gpuIndexOf(action);
    return [{ argv: nvidiaSmiPowerLimit(gpu, watts), check: nvidiaSmiPowerLimitCheck(gpu, watts) }];
  }
  // No check: nothing nvidia-smi reports tells whether a reset already happened.
  if (action.type === 'reset_gpu') return [{ argv: nvidiaSmiReset(gpuIndexOf(action)) }];
  throw new UnrecoverableError(`the nvidia-smi executor has no command for ${action.type}`);
};
