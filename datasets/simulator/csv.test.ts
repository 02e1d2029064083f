import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GPU_METRICS } from '../../src/telemetry/catalogue.js';
import { writeCsvRun } from './sinks.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('writeCsvRun', () => {
  it('writes the four CSV files with one line per row and catalogue columns', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sim-csv-'));
    dirs.push(dir);
    const opts = { seed: 9, gpus: 16, start: Date.UTC(2026, 6, 1), hours: 8 };
    let last = 0;
    const summary = await writeCsvRun(dir, opts, (done) => {
      last = done;
    });
    expect(last).toBe(summary.steps);
    expect(summary.gpuRows).toBe(16 * summary.steps);
    const lines = async (f: string) => (await readFile(join(dir, f), 'utf8')).trimEnd().split('\n');
    const gpu = await lines('gpu_metrics.csv');
    expect(gpu[0].split(',')).toEqual(['ts', ...GPU_METRICS.symbols, ...GPU_METRICS.fields.map((f) => f.name)]);
    expect(gpu).toHaveLength(summary.gpuRows + 1);
    expect(gpu[1].startsWith('2026-07-01T00:00:00.000Z,c0,c0-r0,c0-r0-n0,0,H100,')).toBe(true);
    expect(await lines('facility_metrics.csv')).toHaveLength(summary.facilityRows + 1);
    expect(await lines('job_metrics.csv')).toHaveLength(summary.jobRows + 1);
    const labels = await lines('fault_labels.csv');
    expect(labels[0]).toBe('device,cluster,rack,node,gpu,fault_type,onset_ts,failure_ts,xid');
    expect(labels).toHaveLength(summary.labels.length + 1);
    expect(summary.labels.length).toBeGreaterThan(0);
  });
});
