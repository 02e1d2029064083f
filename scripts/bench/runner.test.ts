/**
 * The bench runner: a failing suite is reported by name with its error and stack and makes the run fail, without
 * stopping the suites after it; a passing suite's report lands as JSON and markdown with the machine, method and
 * sizes. The sizes table resolves flags over the smoke and full sizes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runSuites } from './runner.js';
import { flagOf, resolveSizes, SIZES, type SizeName } from './sizes.js';
import type { BenchContext, BenchSuite } from './types.js';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const ctx: BenchContext = { smoke: true, sizes: resolveSizes({}, true) };

function suites(): Record<string, BenchSuite> {
  return {
    ingest: {
      run: async () => {
        throw new TypeError("Cannot read properties of undefined (reading 'toString')");
      },
    },
    train: {
      run: async (c) => ({
        suite: 'train',
        method: `one epoch of ${c.sizes.trainWindows} windows`,
        rows: [{ backend: 'wasm', 'windows/s': 84 }],
        summary: { 'wasm/cpu ratio': '5.4x' },
      }),
    },
  };
}

describe('bench runner', () => {
  it("reports a failed suite's name, error and stack, and still runs the next suite", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'fs-bench-runner-'));
    const errors: string[] = [];
    const printed: string[] = [];
    const all = suites();
    const failed = await runSuites(['ingest', 'train'], ctx, {
      outDir: dir,
      load: async (s) => all[s],
      print: (t) => printed.push(t),
      printError: (t) => errors.push(t),
    });
    expect(failed).toEqual(['ingest']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^bench suite "ingest" failed:\nTypeError: Cannot read properties of undefined/);
    expect(errors[0]).toMatch(/\n\s+at .*runner\.test\.ts/); // the stack, down to where it was thrown
    expect(printed).toHaveLength(1);

    const files = (await readdir(dir)).sort();
    expect(files.map((f) => f.replace(/-\d.*\./, '-<when>.'))).toEqual(['train-<when>.json', 'train-<when>.md']);
    const json = JSON.parse(await readFile(path.join(dir, files[0]), 'utf8'));
    expect(json).toMatchObject({
      suite: 'train',
      smoke: true,
      sizes: { trainWindows: SIZES.trainWindows.smoke },
      method: `one epoch of ${SIZES.trainWindows.smoke} windows`,
      machine: { cpus: expect.stringContaining(String(os.cpus().length)) },
    });
    const md = await readFile(path.join(dir, files[1]), 'utf8');
    expect(md).toContain('Size: **smoke**');
    expect(md).toContain('| backend | windows/s |');
    expect(md).toContain('| wasm | 84 |');
    expect(md).toContain('- wasm/cpu ratio: 5.4x');
  });

  it('reports what was thrown when it is not an Error', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'fs-bench-runner-'));
    const errors: string[] = [];
    const failed = await runSuites(['queue'], ctx, {
      outDir: dir,
      load: async () => ({
        run: () => Promise.reject({ code: 'ECONNREFUSED', port: 6379 }),
      }),
      printError: (t) => errors.push(t),
    });
    expect(failed).toEqual(['queue']);
    expect(errors[0]).toContain('bench suite "queue" failed:\nnon-Error thrown:');
    expect(errors[0]).toContain("code: 'ECONNREFUSED'");
  });
});

describe('bench sizes', () => {
  it('resolves each size to its flag, else the smoke or the full size', () => {
    const full = resolveSizes({ queueJobs: 7 }, false);
    expect(full.queueJobs).toBe(7);
    expect(full.ingestRows).toBe(SIZES.ingestRows.full);
    expect(full.forecastGpus).toEqual([256, 1024, 4096]);
    const smoke = resolveSizes({ forecastGpus: [32] }, true);
    expect(smoke.forecastGpus).toEqual([32]);
    expect(smoke.ingestRows).toBe(SIZES.ingestRows.smoke);
    for (const s of Object.values(SIZES)) expect(JSON.stringify(s.smoke)).not.toBe(JSON.stringify(s.full));
    expect(flagOf('scoreWindowsPerRequest')).toBe('--score-windows-per-request');
  });
});

describe('npm run bench (the command line)', () => {
  const bench = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'scripts/bench.ts', ...args], { encoding: 'utf8' });

  it('lists every suite and size flag in --help, and refuses an unknown suite with exit 2', () => {
    const help = bench('--help');
    expect(help.status).toBe(0);
    for (const name of Object.keys(SIZES) as SizeName[]) expect(help.stdout).toContain(flagOf(name));
    expect(help.stdout).toContain('--smoke');
    expect(help.stdout).toContain('ingest, train, score, queue, forecast');
    const unknown = bench('ingset', '--smoke');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown bench suite "ingset"');
    const bad = bench('queue', '--queue-jobs', '1.5');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('must be an integer > 0');
  });
});
