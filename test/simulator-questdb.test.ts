/**
 * The simulator's backfill path against the real QuestDB: a tiny fleet goes through the product's TelemetryWriter
 * and comes back through the TelemetryReader with the right row counts, labels and values. Each run writes at
 * a start hour of its own, so counts are exact whatever earlier runs left behind.
 */
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimOptions, simulateSeries } from '../datasets/simulator/index.js';
import { backfill } from '../datasets/simulator/sinks.js';
import { migrate } from '../src/telemetry/migrate.js';
import { TelemetryReader } from '../src/telemetry/reader.js';
import { TelemetryWriter } from '../src/telemetry/writer.js';
import { testConfig, waitFor } from './helpers.js';

const cfg = testConfig().questdb;
// A start hour of its own per run (somewhere in 2000-2022, where nothing else writes): node names come from the
// topology, so rows of an earlier run (or an earlier simulator version) at the same times would mix in.
const START = Date.UTC(2000, 0, 1) + randomInt(0, 190_000) * 3_600_000;
const OPTS: SimOptions = { seed: 90_211, gpus: 8, start: START, hours: 2, faultsPerGpuDay: 3 };
const FROM = OPTS.start;
const TO = OPTS.start + OPTS.hours * 3_600_000;
const iso = (t: number) => new Date(t).toISOString();

let reader: TelemetryReader;
let writer: TelemetryWriter;
beforeAll(async () => {
  reader = TelemetryReader.connect(cfg);
  await migrate(reader);
  writer = await TelemetryWriter.connect(cfg);
});
afterAll(async () => {
  await writer.close();
  await reader.close();
});

async function count(table: string, extra = ''): Promise<number> {
  const rows = await reader.query<{ n: number | string }>(
    `SELECT count() n FROM ${table} WHERE ts >= $1 AND ts < $2 ${extra}`,
    [iso(FROM), iso(TO)],
  );
  return Number(rows[0]?.n ?? 0);
}

describe('simulator backfill into QuestDB', () => {
  it('stores every simulated row and label, readable through the reader', async () => {
    let steps = 0;
    const summary = await backfill(writer, OPTS, (done) => {
      steps = done;
    });
    expect(steps).toBe(720);
    expect(summary.gpuRows).toBe(8 * 720);
    expect(summary.facilityRows).toBe(720);
    expect(summary.jobRows).toBeGreaterThan(0);
    expect(summary.labels.length).toBeGreaterThan(0);

    const expected = { gpu: summary.gpuRows, facility: summary.facilityRows, jobs: summary.jobRows };
    const got = await waitFor(
      async () => ({
        gpu: await count('gpu_metrics', "AND node = 'c0-r0-n0'"),
        facility: await count('facility_metrics', "AND rack = 'c0-r0'"),
        jobs: (await reader.jobRows({ from: FROM, to: TO })).filter((r) =>
          r.symbols.job_id.startsWith(`j${OPTS.seed}-`),
        ).length,
      }),
      (c) => c.gpu >= expected.gpu && c.facility >= expected.facility && c.jobs >= expected.jobs,
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(got).toEqual(expected);

    const labels = await reader.faultLabels({ from: FROM, to: TO });
    const ours = labels.filter((l) => summary.labels.some((s) => s.device === l.device && s.onsetTs === l.onsetTs));
    expect(ours.map((l) => ({ ...l })).sort((a, b) => a.onsetTs - b.onsetTs)).toEqual(
      [...summary.labels].sort((a, b) => a.onsetTs - b.onsetTs),
    );

    // Values survive the round trip: the dense reader series equals the in-memory simulation.
    const device = 'c0-r0-n0/3';
    const fields = ['gpu_temp_c', 'ecc_sbe_volatile'];
    const stored = await reader.gpuSeries({ from: FROM, to: TO, fields, samplePeriodMs: 10_000, devices: [device] });
    const local = simulateSeries(OPTS, fields).series.get(device)!;
    const s = stored.get(device)!;
    expect(s.ts.length).toBe(local.ts.length);
    for (let i = 0; i < s.values.length; i += 97) expect(s.values[i]).toBeCloseTo(local.values[i], 6);
  });
});
