/** The `npm run simulate` command line, run as a child process the way people use it. */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
const simulate = (args: string[]) =>
  run(tsx, ['scripts/simulate.ts', ...args], { cwd: process.cwd(), timeout: 60_000 }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('scripts/simulate.ts', () => {
  it('rejects a bad argument with one line on stderr and a non-zero exit', async () => {
    for (const args of [
      ['csv', '--out', '/tmp/x', '--gpus', 'many'],
      ['csv', '--out', '/tmp/x', '--hours', '0'],
      ['stream', '--rate', '-1'],
      ['stream', '--resume', '2026-01-01T01:00:00Z'], // resuming needs the run's --start
      ['backfill', '--start', '2026-01-01T00:00:00Z', '--hours', '1', '--until', '2026-01-01T02:00:00Z'],
      ['nonsense'],
    ]) {
      const r = await simulate(args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });

  it('writes a CSV run and prints a one-line JSON summary', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sim-cli-'));
    dirs.push(dir);
    const r = await simulate([
      'csv',
      '--out',
      dir,
      '--gpus',
      '8',
      '--hours',
      '0.5',
      '--seed',
      '3',
      '--start',
      '2026-03-01T00:00:00Z',
    ]);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout.trim());
    expect(summary).toMatchObject({ mode: 'csv', steps: 180, gpuRows: 1440, facilityRows: 180 });
    expect((await readdir(dir)).sort()).toEqual([
      'facility_metrics.csv',
      'fault_labels.csv',
      'gpu_metrics.csv',
      'job_metrics.csv',
    ]);
    const gpu = (await readFile(join(dir, 'gpu_metrics.csv'), 'utf8')).trimEnd().split('\n');
    expect(gpu).toHaveLength(1441);
    expect(gpu[1].startsWith('2026-03-01T00:00:00.000Z,')).toBe(true);
  });
});
