import { describe, expect, it } from 'vitest';
import {
  kubectlCordonCheck,
  nvidiaSmiPowerLimitCheck,
  slurmDrainCheck,
  slurmNodeStates,
  slurmRebootCheck,
} from './target-state.js';

/** `scontrol show node` as Slurm 23.02 prints it (trimmed), with the state line and a reason that mentions State=. */
const scontrolShowNode = (state: string) =>
  [
    'NodeName=c0-r1-n2 Arch=x86_64 CoresPerSocket=32',
    '   CPUAlloc=0 CPUEfctv=64 CPUTot=64 CPULoad=0.01',
    '   Gres=gpu:h100:8',
    `   State=${state} ThreadsPerCore=1 TmpDisk=0 Weight=1 Owner=N/A MCS_label=N/A`,
    '   Partitions=gpu',
    '   BootTime=2026-11-20T08:12:44 SlurmdStartTime=2026-11-20T08:13:10',
    '   Reason=fleetsense act_1: was State=IDLE before [root@2026-12-01T10:02:11]',
    '',
  ].join('\n');

describe('Slurm node state', () => {
  it('reads the state words of the State field, not of the reason', () => {
    expect(slurmNodeStates(scontrolShowNode('MIXED+DRAIN+NOT_RESPONDING'))).toEqual([
      'MIXED',
      'DRAIN',
      'NOT_RESPONDING',
    ]);
    expect(slurmNodeStates(scontrolShowNode('IDLE*'))).toEqual(['IDLE']);
    expect(slurmNodeStates('NodeName=x CPUTot=4\n')).toBeUndefined();
  });

  it('counts a draining or drained node as drained, an idle or allocated one as not', () => {
    const check = slurmDrainCheck('c0-r1-n2');
    expect(check.argv).toEqual(['scontrol', 'show', 'node', 'c0-r1-n2']);
    for (const s of ['IDLE+DRAIN', 'MIXED+DRAIN', 'DOWN+DRAIN+NOT_RESPONDING', 'DRAINED', 'DRAINING']) {
      expect(check.parse(scontrolShowNode(s)), s).toEqual({ done: true, state: `State=${s}` });
    }
    for (const s of ['IDLE', 'ALLOCATED', 'MIXED', 'DOWN+NOT_RESPONDING', 'IDLE+REBOOT_REQUESTED']) {
      expect(check.parse(scontrolShowNode(s)).done, s).toBe(false);
    }
    expect(check.parse('slurm_load_node error: Invalid node name')).toEqual({ done: false, state: 'State unknown' });
  });

  it('counts a requested or issued reboot as under way', () => {
    const check = slurmRebootCheck('c0-r1-n2');
    for (const s of ['IDLE+REBOOT_REQUESTED', 'DOWN+REBOOT_ISSUED', 'MIXED+DRAIN+REBOOT_REQUESTED', 'IDLE+REBOOT']) {
      expect(check.parse(scontrolShowNode(s)).done, s).toBe(true);
    }
    expect(check.parse(scontrolShowNode('IDLE+DRAIN')).done).toBe(false);
  });
});

describe('Kubernetes node state', () => {
  it('is cordoned only when spec.unschedulable prints true', () => {
    const check = kubectlCordonCheck('c0-r1-n2');
    expect(check.argv).toEqual(['kubectl', 'get', 'node', 'c0-r1-n2', '-o', 'jsonpath={.spec.unschedulable}']);
    expect(check.parse('true')).toEqual({ done: true, state: 'spec.unschedulable=true' });
    expect(check.parse('')).toEqual({ done: false, state: 'spec.unschedulable=false' });
    expect(check.parse('false\n').done).toBe(false);
  });
});

describe('nvidia-smi power limit', () => {
  it('is in place when the current limit rounds to the wanted watts; unknown readings are not', () => {
    const check = nvidiaSmiPowerLimitCheck('3', 550.4);
    expect(check.parse('550.00\n')).toEqual({ done: true, state: 'power.limit=550.00 W' });
    expect(check.parse('700.00').done).toBe(false);
    expect(check.parse('[N/A]').done).toBe(false);
    expect(check.parse('[Not Supported]').done).toBe(false);
    expect(check.parse('550.00\n550.00').done).toBe(false); // two GPUs answered: not the one we asked about
    expect(check.parse('').state).toBe('power.limit=unknown W');
  });
});
