/** The PG-wire reader against the real QuestDB: dense, aligned per-device windows; bound parameters only. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceId } from '../src/telemetry/catalogue.js';
import { migrate } from '../src/telemetry/migrate.js';
import { TelemetryReader } from '../src/telemetry/reader.js';
import { TelemetryWriter } from '../src/telemetry/writer.js';
import { testConfig, uniqueTag, waitFor } from './helpers.js';

const cfg = testConfig().questdb;
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

describe('TelemetryReader.gpuSeries', () => {
  it('returns dense series on one shared grid, averaging within buckets and filling gaps', async () => {
    const nodeA = uniqueTag('a');
    const nodeB = uniqueTag('b');
    const t0 = Date.UTC(2026, 1, 1, 0, 0, 0);
    const row = (node: string, offsetS: number, temp: number) => ({
      ts: t0 + offsetS * 1000,
      symbols: { cluster: 'rtest', rack: 'r0', node, gpu: '0', gpu_model: 'A100' },
      values: { gpu_temp_c: temp, power_w: temp * 10 },
    });
    // A: two samples in bucket 0 (avg 50), nothing in buckets 1-2, one in bucket 3.
    // B: first sample only in bucket 2, last in bucket 4.
    await writer.write('gpu_metrics', [
      row(nodeA, 0, 40),
      row(nodeA, 5, 60),
      row(nodeA, 31, 70),
      row(nodeB, 22, 30),
      row(nodeB, 44, 35),
    ]);
    await writer.flush();
    const devices = [deviceId(nodeA, '0'), deviceId(nodeB, '0')];
    const series = await waitFor(
      () =>
        reader.gpuSeries({
          from: t0,
          to: t0 + 60_000,
          fields: ['gpu_temp_c', 'power_w'],
          samplePeriodMs: 10_000,
          devices,
        }),
      (m) => m.size === 2 && m.get(devices[1])?.values[8] === 35,
    );
    const a = series.get(devices[0])!;
    const b = series.get(devices[1])!;
    expect(Array.from(a.ts)).toEqual([0, 1, 2, 3, 4, 5].map((i) => t0 + i * 10_000));
    expect(b.ts).toBe(a.ts); // the same grid object: aligned by construction
    const temps = (s: typeof a) => Array.from({ length: 6 }, (_, i) => s.values[i * 2]);
    expect(temps(a)).toEqual([50, 50, 50, 70, 70, 70]);
    expect(temps(b)).toEqual([30, 30, 30, 30, 35, 35]);
    expect(a.values[1]).toBe(500); // power_w, averaged the same way
    expect(a.features).toEqual(['gpu_temp_c', 'power_w']);
  });

  it('rejects an unknown field instead of placing it in SQL', async () => {
    await expect(
      reader.gpuSeries({ from: 0, to: 1, fields: ['gpu_temp_c; DROP TABLE gpu_metrics'], samplePeriodMs: 10_000 }),
    ).rejects.toThrow(/unknown gpu_metrics field/);
  });

  it('treats a device filter value as data, not SQL', async () => {
    const series = await reader.gpuSeries({
      from: Date.UTC(2026, 1, 1),
      to: Date.UTC(2026, 1, 1, 0, 1),
      fields: ['gpu_temp_c'],
      samplePeriodMs: 10_000,
      devices: ["x' OR '1'='1/0"],
    });
    expect(series.size).toBe(0);
  });
});
