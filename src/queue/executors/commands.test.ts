import { UnrecoverableError } from 'bullmq';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../../config.js';
import { CommandExecutor, kubernetesExecutor, nvidiaSmiExecutor, slurmExecutor } from './command.js';
import {
  COMMAND_TYPES,
  type CommandStep,
  kubernetesCommands,
  nvidiaSmiCommands,
  slurmCommands,
  slurmResume,
} from './commands.js';
import { executorFor } from './index.js';
import { formatArgv, runCommand } from './run-command.js';
import type { ExecutableAction } from './types.js';

const log = pino({ level: 'silent' });
const ctx = (dryRun: boolean) => ({ dryRun, attempt: 1, idempotencyKey: 'act_1', log });
/** The argv of each step (what changes the target), without the checks. */
const argvOf = (steps: readonly CommandStep[]) => steps.map((s) => s.argv);

function action(over: Partial<ExecutableAction> = {}): ExecutableAction {
  return {
    id: 'act_1',
    type: 'drain_node',
    target: { kind: 'node', id: 'c0-r1-n2', cluster: 'c0', rack: 'c0-r1', node: 'c0-r1-n2' },
    params: {},
    reason: 'XID 79 on c0-r1-n2/3',
    severity: 'critical',
    dryRun: false,
    ...over,
  };
}
const gpu = (type: ExecutableAction['type'], params = {}) =>
  action({ type, params, target: { kind: 'gpu', id: 'c0-r1-n2/3', cluster: 'c0', rack: 'c0-r1', node: 'c0-r1-n2' } });

describe('command construction', () => {
  it('drains and resumes a Slurm node with one argv each', () => {
    expect(argvOf(slurmCommands(action()))).toEqual([
      ['scontrol', 'update', 'nodename=c0-r1-n2', 'state=drain', 'reason=fleetsense act_1: XID 79 on c0-r1-n2/3'],
    ]);
    expect(slurmCommands(action())[0].check?.argv).toEqual(['scontrol', 'show', 'node', 'c0-r1-n2']);
    expect(slurmResume('c0-r1-n2')).toEqual(['scontrol', 'update', 'nodename=c0-r1-n2', 'state=resume']);
  });

  it('cordons then drains a Kubernetes node', () => {
    const steps = kubernetesCommands(action());
    expect(argvOf(steps)).toEqual([
      ['kubectl', 'cordon', 'c0-r1-n2'],
      ['kubectl', 'drain', 'c0-r1-n2', '--ignore-daemonsets', '--delete-emptydir-data'],
    ]);
    expect(steps.map((s) => s.check?.argv)).toEqual([
      ['kubectl', 'get', 'node', 'c0-r1-n2', '-o', 'jsonpath={.spec.unschedulable}'],
      undefined, // drain evicts only what is left: safe to repeat
    ]);
  });

  it('power-caps and resets a GPU by its index on the node', () => {
    const cap = nvidiaSmiCommands(gpu('power_cap_gpu', { powerCapW: 550.4 }));
    expect(argvOf(cap)).toEqual([['nvidia-smi', '-i', '3', '-pl', '550']]);
    expect(cap[0].check?.argv).toEqual([
      'nvidia-smi',
      '-i',
      '3',
      '--query-gpu=power.limit',
      '--format=csv,noheader,nounits',
    ]);
    expect(argvOf(nvidiaSmiCommands(gpu('reset_gpu')))).toEqual([['nvidia-smi', '--gpu-reset', '-i', '3']]);
    expect(nvidiaSmiCommands(gpu('reset_gpu'))[0].check).toBeUndefined();
  });

  it('refuses names that could become options, absurd power limits and unsupported actions', () => {
    const evil = action({ target: { kind: 'node', id: '--all', cluster: 'c0', rack: 'r', node: '--all' } });
    expect(() => kubernetesCommands(evil)).toThrow(UnrecoverableError);
    expect(() => nvidiaSmiCommands(gpu('power_cap_gpu', { powerCapW: 5 }))).toThrow(/outside/);
    expect(() => nvidiaSmiCommands(gpu('power_cap_gpu'))).toThrow(UnrecoverableError);
    expect(() => kubernetesCommands(gpu('reset_gpu'))).toThrow(/no command for reset_gpu/);
    expect(() => nvidiaSmiCommands(action())).toThrow(/no command for drain_node/);
  });

  it('keeps a multi-line reason on one Slurm line', () => {
    const [{ argv }] = slurmCommands(action({ reason: 'line one\nline two' }));
    expect(argv[4]).toBe('reason=fleetsense act_1: line one line two');
  });
});

describe('CommandExecutor', () => {
  it('runs each argv in order through the runner, never a shell string', async () => {
    const ran: string[][] = [];
    const exec = new CommandExecutor('kubernetes', kubernetesCommands, {
      runner: async (argv) => {
        ran.push([...argv]);
        return { stdout: '', stderr: '' }; // kubectl get prints nothing for a schedulable node
      },
    });
    const out = await exec.execute(action(), ctx(false));
    const [cordon, drain] = kubernetesCommands(action());
    expect(ran).toEqual([cordon.check?.argv, cordon.argv, drain.argv]);
    expect(out).toEqual({
      result: 'succeeded',
      detail: 'ran: kubectl cordon c0-r1-n2 && kubectl drain c0-r1-n2 --ignore-daemonsets --delete-emptydir-data',
    });
  });

  it('checks the target first and skips what is already done, so a repeated attempt does not act twice', async () => {
    /** A runner that answers the state checks as a tool would, and records every command. */
    const fake = (answers: Record<string, string>) => {
      const ran: string[] = [];
      const runner = async (argv: readonly string[]) => {
        ran.push(formatArgv(argv));
        return { stdout: answers[argv[0]] ?? '', stderr: '' };
      };
      return { ran, runner };
    };
    const drained = fake({ scontrol: 'NodeName=c0-r1-n2 Arch=x86_64\n   State=IDLE+DRAIN ThreadsPerCore=1\n' });
    const out = await slurmExecutor({ runner: drained.runner }).execute(action(), ctx(false));
    expect(drained.ran).toEqual(['scontrol show node c0-r1-n2']);
    expect(out.detail).toMatch(
      /^ran nothing; skipped: scontrol update nodename=c0-r1-n2 state=drain .*\(already: State=IDLE\+DRAIN\)$/,
    );

    const idle = fake({ scontrol: 'NodeName=c0-r1-n2\n   State=IDLE ThreadsPerCore=1\n' });
    await slurmExecutor({ runner: idle.runner }).execute(action(), ctx(false));
    expect(idle.ran).toHaveLength(2);
    expect(idle.ran[1]).toMatch(/^scontrol update nodename=c0-r1-n2 state=drain/);

    // Cordoned by an earlier attempt that died mid-drain: the cordon is skipped, the drain finishes the job.
    const cordoned = fake({ kubectl: 'true' });
    const k8s = await kubernetesExecutor({ runner: cordoned.runner }).execute(action(), ctx(false));
    expect(cordoned.ran).toEqual([
      "kubectl get node c0-r1-n2 -o 'jsonpath={.spec.unschedulable}'",
      'kubectl drain c0-r1-n2 --ignore-daemonsets --delete-emptydir-data',
    ]);
    expect(k8s.detail).toBe(
      'ran: kubectl drain c0-r1-n2 --ignore-daemonsets --delete-emptydir-data; ' +
        'skipped: kubectl cordon c0-r1-n2 (already: spec.unschedulable=true)',
    );

    const capped = fake({ 'nvidia-smi': '550.00' });
    await nvidiaSmiExecutor({ runner: capped.runner }).execute(gpu('power_cap_gpu', { powerCapW: 550 }), ctx(false));
    expect(capped.ran).toEqual(['nvidia-smi -i 3 --query-gpu=power.limit --format=csv,noheader,nounits']);
    const reset = fake({});
    await nvidiaSmiExecutor({ runner: reset.runner }).execute(gpu('reset_gpu'), ctx(false));
    expect(reset.ran).toEqual(['nvidia-smi --gpu-reset -i 3']); // no state to check: it runs
  });

  it('only describes the commands in dry-run', async () => {
    let ran = 0;
    const runner = async () => {
      ran++;
      return { stdout: '', stderr: '' };
    };
    for (const exec of [slurmExecutor({ runner }), kubernetesExecutor({ runner }), nvidiaSmiExecutor({ runner })]) {
      const a = exec.name === 'nvidia-smi' ? gpu('reset_gpu') : action();
      const out = await exec.execute(a, ctx(true));
      expect(out.result).toBe('dry-run');
      expect(out.detail).toMatch(/^would run: (scontrol|kubectl|nvidia-smi) /);
    }
    expect(ran).toBe(0);
  });

  it('quotes the logged command line readably', () => {
    expect(formatArgv(['scontrol', 'update', 'reason=it is hot', "it's"])).toBe(
      `scontrol update 'reason=it is hot' 'it'\\''s'`,
    );
  });

  it('runs real commands with execFile, with a timeout', async () => {
    await expect(runCommand(['node', '-e', 'process.stdout.write("ok")'], 5_000)).resolves.toMatchObject({
      stdout: 'ok',
    });
    await expect(runCommand(['node', '-e', 'process.exit(3)'], 5_000)).rejects.toThrow(/failed \(3\)/);
    await expect(runCommand(['node', '-e', 'setTimeout(() => {}, 10000)'], 200)).rejects.toThrow(/timed out/);
    // An argument with shell syntax stays one literal argument.
    const r = await runCommand(['node', '-e', 'process.stdout.write(process.argv[1])', '$(echo hi); ls'], 5_000);
    expect(r.stdout).toBe('$(echo hi); ls');
  });
});

describe('executorFor', () => {
  const queue = (over: Partial<Config['queue']>): Config['queue'] => ({ ...loadConfig({}).queue, ...over });

  it('sends the types an adapter has commands for to it, and the rest to the fallback', async () => {
    const exec = executorFor(queue({ executor: 'slurm', dryRun: true }));
    expect(exec.name).toBe('slurm+dry-run');
    const drain = await exec.execute(action(), ctx(true));
    expect(drain.detail).toMatch(/^\[slurm\] would run: scontrol update nodename=c0-r1-n2 state=drain/);
    const ticket = await exec.execute(action({ type: 'open_ticket' }), ctx(true));
    expect(ticket.detail).toMatch(/^\[dry-run\] would open_ticket/);
    expect(
      executorFor(queue({ executor: 'nvidia-smi', webhookUrl: 'http://127.0.0.1:1/h', webhookSecret: 'k' })).name,
    ).toBe('nvidia-smi+webhook');
    expect(executorFor(queue({})).name).toBe('dry-run');
  });

  it('keeps the adapters and the routing table in step', () => {
    for (const t of COMMAND_TYPES.slurm) expect(() => slurmCommands(action({ type: t }))).not.toThrow();
    for (const t of COMMAND_TYPES.kubernetes) expect(() => kubernetesCommands(action({ type: t }))).not.toThrow();
    for (const t of COMMAND_TYPES['nvidia-smi']) {
      expect(() => nvidiaSmiCommands(gpu(t, { powerCapW: 400 }))).not.toThrow();
    }
  });
});
