/**
 * The README's configuration table and error list stay in step with src/config.ts and src/errors.ts, and each
 * action runbook's cooldown with the policy's.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ConfigError, ERROR_CODES } from '../src/errors.js';
import { policyFor } from '../src/queue/runtime.js';
import { DEFAULT_POLICY } from '../src/recommend/config.js';
import { ACTION_TYPES } from '../src/recommend/types.js';

const readme = () => readFile(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('documents every environment variable config.ts reads, and no other', async () => {
    const source = await readFile(new URL('../src/config.ts', import.meta.url), 'utf8');
    const read = new Set([...source.matchAll(/\(\s*env,\s*'([A-Z0-9_]+)'/g)].map((m) => m[1]));
    const section = (await readme()).split('## Configuration')[1].split('\n## ')[0];
    const documented = new Set([...section.matchAll(/^\| `([A-Z0-9_]+)`\s*\|/gm)].map((m) => m[1]));
    expect(read.size).toBeGreaterThan(20);
    expect([...documented].sort()).toEqual([...read].sort());
  });

  it('lists every error code with its status', async () => {
    const section = (await readme()).split('## Errors')[1].split('\n## ')[0];
    const rows = [...section.matchAll(/^\| `([A-Z_]+)`\s*\| (\d{3})\s*\|/gm)].map((m) => [m[1], Number(m[2])]);
    expect(rows).toEqual(Object.entries(ERROR_CODES).map(([code, e]) => [code, e.status]));
  });
});

describe('action runbooks', () => {
  it("state each action type's cooldown as the policy sets it", async () => {
    const unit = { min: 60_000, h: 3_600_000 } as const;
    for (const type of ACTION_TYPES) {
      const text = await readFile(new URL(`../docs/runbooks/${type}.md`, import.meta.url), 'utf8');
      const m = /Cooldown (\d+) (min|h)\b/.exec(text);
      expect(m, `docs/runbooks/${type}.md states no cooldown`).not.toBeNull();
      expect(Number(m![1]) * unit[m![2] as keyof typeof unit], type).toBe(DEFAULT_POLICY.cooldownMs[type]);
    }
  });
});

describe('loadConfig', () => {
  it('has local defaults and is frozen', () => {
    const c = loadConfig({});
    expect(c.questdb.pgPort).toBe(8812);
    expect(c.models.executionProviders).toEqual(['cuda', 'webgpu', 'cpu']);
    expect(Object.isFrozen(c.questdb)).toBe(true);
  });
  it('names the variable and the bad value', () => {
    expect(() => loadConfig({ API_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ API_PORT: 'eighty' })).toThrow(/API_PORT must be an integer >= 0, got "eighty"/);
    expect(() => loadConfig({ REMEDIATION_EXECUTOR: 'ssh' })).toThrow(/REMEDIATION_EXECUTOR must be one of/);
    expect(() => loadConfig({ REMEDIATION_DRY_RUN: 'maybe' })).toThrow(/true or false/);
    expect(() => loadConfig({ POLICY_FAULT_ACT_PROBABILITY: '1.5' })).toThrow(
      /POLICY_FAULT_ACT_PROBABILITY must be a number between 0 and 1, got "1.5"/,
    );
  });
  it("the policy acts on each model's threshold unless the operator sets POLICY_FAULT_ACT_PROBABILITY", () => {
    expect(policyFor(loadConfig({})).fault.actProbability).toBeUndefined();
    expect(policyFor(loadConfig({ POLICY_FAULT_ACT_PROBABILITY: '0.85' })).fault.actProbability).toBe(0.85);
  });
});
