/**
 * Read-only state checks for the command adapters: before a command changes a target, ask the tool for the target's
 * current state, and skip the command when its effect is already in place. That keeps a retry after a killed worker
 * (at-least-once execution) from acting twice where the tool can tell: a node already drained is not drained again.
 *
 * Rule: skip only when the output POSITIVELY shows the effect; anything else (an unknown format, `[N/A]`) runs the
 * command, which is what would have happened without the check. A check that fails to run fails the attempt like
 * the command itself would (transient: retried with backoff).
 */
export interface TargetState {
  /** True when the step's effect is already in place. */
  readonly done: boolean;
  /** The state as read, for the log and the audit detail, e.g. `State=IDLE+DRAIN`. */
  readonly state: string;
}

export interface StateCheck {
  readonly argv: string[];
  readonly parse: (stdout: string) => TargetState;
}

/**
 * The state words of a Slurm node from `scontrol show node <node>`: `State=MIXED+DRAIN+NOT_RESPONDING` →
 * `['MIXED', 'DRAIN', 'NOT_RESPONDING']`; undefined when the output has no State field.
 */
export function slurmNodeStates(stdout: string): string[] | undefined {
  const m = /(?:^|\s)State=(\S+)/.exec(stdout);
  if (!m) return undefined;
  return m[1]
    .split('+')
    .map((w) => w.replace(/[^A-Za-z_]/g, '').toUpperCase())
    .filter(Boolean);
}

const slurmCheck = (node: string, isDone: (states: readonly string[]) => boolean): StateCheck => ({
  argv: ['scontrol', 'show', 'node', node],
  parse(stdout) {
    const states = slurmNodeStates(stdout);
    if (!states) return { done: false, state: 'State unknown' };
    return { done: isDone(states), state: `State=${states.join('+')}` };
  },
});

/** Draining (jobs still running, none new) or drained already: `DRAIN` flag, or `DRAINING`/`DRAINED` words. */
export const slurmDrainCheck = (node: string): StateCheck =>
  slurmCheck(node, (s) => s.some((w) => w === 'DRAIN' || w === 'DRAINING' || w === 'DRAINED'));

/** A reboot already asked for or under way (`REBOOT_REQUESTED`, `REBOOT_ISSUED`; `REBOOT` in older releases). */
export const slurmRebootCheck = (node: string): StateCheck =>
  slurmCheck(node, (s) => s.some((w) => w.startsWith('REBOOT')));

/** Cordoned already: `kubectl get node <node> -o jsonpath={.spec.unschedulable}` prints `true` (empty otherwise). */
export const kubectlCordonCheck = (node: string): StateCheck => ({
  argv: ['kubectl', 'get', 'node', node, '-o', 'jsonpath={.spec.unschedulable}'],
  parse(stdout) {
    const v = stdout.trim();
    return { done: v === 'true', state: `spec.unschedulable=${v || 'false'}` };
  },
});

/** The GPU's software power limit already at the wanted watts (to the watt `-pl` sets). */
export const nvidiaSmiPowerLimitCheck = (gpu: string, watts: number): StateCheck => ({
  argv: ['nvidia-smi', '-i', gpu, '--query-gpu=power.limit', '--format=csv,noheader,nounits'],
  parse(stdout) {
    const v = stdout.trim();
    const current = /^\d+(\.\d+)?$/.test(v) ? Number(v) : Number.NaN;
    return { done: Math.round(current) === Math.round(watts), state: `power.limit=${v || 'unknown'} W` };
  },
});
