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

  it('rejects a peer field whose base is not a gpu_metrics field the same way', async () => {
    const bad = reader.gpuSeries({ from: 0, to: 1, fields: ['below-peers:nope'], samplePeriodMs: 10_000 });
    await expect(bad).rejects.toThrow(/unknown gpu_metrics field "below-peers:nope"/);
    await expect(bad).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
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

describe('TelemetryReader.gpuSeries peer fields', () => {
  const t0 = Date.UTC(2026, 1, 3, 0, 0, 0);
  const cluster = uniqueTag('rpeer');
  const node = { a: uniqueTag('a'), b: uniqueTag('b'), c: uniqueTag('c'), d: uniqueTag('d') };
  const jobA = uniqueTag('jA');
  const jobB = uniqueTag('jB');
  const dev = {
    a: deviceId(node.a, '0'),
    b: deviceId(node.b, '0'),
    c: deviceId(node.c, '0'),
    d: deviceId(node.d, '0'),
  };
  const base = { from: t0, to: t0 + 30_000, samplePeriodMs: 10_000 };

  beforeAll(async () => {
    const row = (n: string, offsetS: number, util: number, job?: string) => ({
      ts: t0 + offsetS * 1000,
      symbols: { cluster, rack: 'r0', node: n, gpu: '0', gpu_model: 'H100', ...(job ? { job_id: job } : {}) },
      values: { gpu_util: util, power_w: util * 5 },
    });
    // a and b run jobA (util 90 and 60; b reports nothing in bucket 1, so its job and value are carried there),
    // c runs jobB alone, d runs no job.
    const rows = [
      ...[0, 10, 20].map((s) => row(node.a, s, 90, jobA)),
      ...[0, 20].map((s) => row(node.b, s, 60, jobA)),
      ...[0, 10, 20].map((s) => row(node.c, s, 75, jobB)),
      ...[0, 10, 20].map((s) => row(node.d, s, 60)),
    ];
    await writer.write('gpu_metrics', rows);
    await writer.flush();
    await waitFor(
      () => reader.query<{ n: string }>('SELECT count() n FROM gpu_metrics WHERE cluster = $1', [cluster]),
      (r) => Number(r[0].n) === rows.length,
    );
  });

  const column = (s: { values: Float64Array | number[]; features: readonly string[] } | undefined, f: string) =>
    Array.from({ length: 3 }, (_, i) => s!.values[i * s!.features.length + s!.features.indexOf(f)]);

  // jobA's median utilisation is 75: a sits 15 above it, b 15 below; c is alone in jobB and d runs no job.
  const fields = ['below-peers:gpu_util', 'gpu_util', 'above-peers:gpu_util'];

  it('compares each GPU with the GPUs of its job; 0 alone or without a job', async () => {
    const series = await reader.gpuSeries({ ...base, cluster, fields });
    expect([...series.keys()].sort()).toEqual(Object.values(dev).sort());
    for (const s of series.values()) expect(s.features).toEqual(fields);
    expect(column(series.get(dev.a), 'above-peers:gpu_util')).toEqual([15, 15, 15]);
    expect(column(series.get(dev.a), 'below-peers:gpu_util')).toEqual([0, 0, 0]);
    expect(column(series.get(dev.b), 'below-peers:gpu_util')).toEqual([15, 15, 15]);
    expect(column(series.get(dev.b), 'above-peers:gpu_util')).toEqual([0, 0, 0]);
    for (const d of [dev.c, dev.d]) {
      for (const f of ['below-peers:gpu_util', 'above-peers:gpu_util'])
        expect(column(series.get(d), f)).toEqual([0, 0, 0]);
    }
    expect(column(series.get(dev.b), 'gpu_util')).toEqual([60, 60, 60]);
  });

  it('reads the peers of a requested device too, and returns only the requested ones', async () => {
    const series = await reader.gpuSeries({ ...base, devices: [dev.b], fields: ['gpu_util', 'below-peers:gpu_util'] });
    expect([...series.keys()]).toEqual([dev.b]);
    expect(series.get(dev.b)!.features).toEqual(['gpu_util', 'below-peers:gpu_util']);
    expect(column(series.get(dev.b), 'below-peers:gpu_util')).toEqual([15, 15, 15]);
    expect(column(series.get(dev.b), 'gpu_util')).toEqual([60, 60, 60]);
  });

  it('leaves a plain-field read as it was', async () => {
    const series = await reader.gpuSeries({ ...base, cluster, fields: ['gpu_util', 'power_w'] });
    expect(series.size).toBe(4);
    expect(series.get(dev.a)!.features).toEqual(['gpu_util', 'power_w']);
    expect(Array.from(series.get(dev.a)!.values)).toEqual([90, 450, 90, 450, 90, 450]);
    expect(Array.from(series.get(dev.b)!.values)).toEqual([60, 300, 60, 300, 60, 300]);
    const one = await reader.gpuSeries({ ...base, devices: [dev.b], fields: ['gpu_util'] });
    expect([...one.keys()]).toEqual([dev.b]);
  });
});

describe('TelemetryReader.gpuSeries rack fields', () => {
  const t0 = Date.UTC(2026, 1, 4, 0, 0, 0);
  const cluster = uniqueTag('rrack');
  // Rack names are unique per run: facility rows carry no cluster, so the rack alone selects them.
  const rack = { a: uniqueTag('rA'), b: uniqueTag('rB'), c: uniqueTag('rC') };
  const node = { a: uniqueTag('a'), b: uniqueTag('b'), c: uniqueTag('c') };
  const job = uniqueTag('j');
  const dev = { a: deviceId(node.a, '0'), b: deviceId(node.b, '0'), c: deviceId(node.c, '0') };
  const base = { from: t0, to: t0 + 30_000, samplePeriodMs: 10_000 };

  beforeAll(async () => {
    const gpu = (n: string, r: string, offsetS: number, util: number, j?: string) => ({
      ts: t0 + offsetS * 1000,
      symbols: { cluster, rack: r, node: n, gpu: '0', gpu_model: 'H100', ...(j ? { job_id: j } : {}) },
      values: { gpu_util: util },
    });
    const facility = (r: string, sensor: string, offsetS: number, inlet: number) => ({
      ts: t0 + offsetS * 1000,
      symbols: { site: 's0', rack: r, sensor },
      values: { inlet_temp_c: inlet },
    });
    // a (rack A) and b (rack B) run one job at util 90 and 60 (median 75); c runs no job and sits in rack C, which
    // has no facility rows. Rack A's two sensors read 20 and 24 (mean 22); rack B's one sensor reads 30, only in bucket 1.
    const gpuRows = [0, 10, 20].flatMap((s) => [
      gpu(node.a, rack.a, s, 90, job),
      gpu(node.b, rack.b, s, 60, job),
      gpu(node.c, rack.c, s, 50),
    ]);
    const facilityRows = [
      ...[0, 10, 20].flatMap((s) => [facility(rack.a, 'in0', s, 20), facility(rack.a, 'in1', s + 1, 24)]),
      facility(rack.b, 'in0', 15, 30),
    ];
    await writer.write('gpu_metrics', gpuRows);
    await writer.write('facility_metrics', facilityRows);
    await writer.flush();
    await waitFor(
      () =>
        Promise.all([
          reader.query<{ n: string }>('SELECT count() n FROM gpu_metrics WHERE cluster = $1', [cluster]),
          reader.query<{ n: string }>('SELECT count() n FROM facility_metrics WHERE rack IN ($1, $2)', [
            rack.a,
            rack.b,
          ]),
        ]),
      ([g, f]) => Number(g[0].n) === gpuRows.length && Number(f[0].n) === facilityRows.length,
    );
  });

  const column = (s: { values: Float64Array; features: readonly string[] } | undefined, f: string) =>
    Array.from({ length: 3 }, (_, i) => s!.values[i * s!.features.length + s!.features.indexOf(f)]);

  it("joins each GPU's rack average onto its grid, beside plain and peer fields, in the requested order", async () => {
    const fields = ['rack:inlet_temp_c', 'gpu_util', 'below-peers:gpu_util'];
    const series = await reader.gpuSeries({ ...base, cluster, fields });
    expect([...series.keys()].sort()).toEqual(Object.values(dev).sort());
    for (const s of series.values()) expect(s.features).toEqual(fields);
    expect(column(series.get(dev.a), 'rack:inlet_temp_c')).toEqual([22, 22, 22]);
    expect(column(series.get(dev.b), 'rack:inlet_temp_c')).toEqual([30, 30, 30]);
    expect(column(series.get(dev.a), 'gpu_util')).toEqual([90, 90, 90]);
    expect(column(series.get(dev.b), 'below-peers:gpu_util')).toEqual([15, 15, 15]);
    expect(column(series.get(dev.a), 'below-peers:gpu_util')).toEqual([0, 0, 0]);
  });

  it('gives NaN, not a made-up value, to a GPU whose rack has no facility rows', async () => {
    const series = await reader.gpuSeries({ ...base, cluster, fields: ['gpu_util', 'rack:inlet_temp_c'] });
    expect(column(series.get(dev.c), 'gpu_util')).toEqual([50, 50, 50]);
    expect(column(series.get(dev.c), 'rack:inlet_temp_c').every(Number.isNaN)).toBe(true);
  });

  it('reads rack fields alone and honours a device filter', async () => {
    const series = await reader.gpuSeries({ ...base, devices: [dev.b], fields: ['rack:inlet_temp_c'] });
    expect([...series.keys()]).toEqual([dev.b]);
    expect(series.get(dev.b)!.features).toEqual(['rack:inlet_temp_c']);
    expect(Array.from(series.get(dev.b)!.values)).toEqual([30, 30, 30]);
  });

  it('rejects an unknown facility field as VALIDATION_FAILED naming it', async () => {
    const bad = reader.gpuSeries({ ...base, fields: ['gpu_util', 'rack:nope'], samplePeriodMs: 10_000 });
    await expect(bad).rejects.toThrow(/unknown facility_metrics field "rack:nope"/);
    await expect(bad).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'rack:nope' } });
  });
});
