/**
 * The forecast bench's fleet: `gpus` simulated GPUs (datasets/simulator) in QuestDB, under names of their own
 * (`bfc<gpus>-c0`, `bfc<gpus>-c0-r0`, …, jobs `bfc<gpus>-j…`) and in a time range of their own (one hour ending at
 * the run's slot, in 2075 + `gpus` days, where no test writes), so nothing else meets them in the shared database.
 * The simulation is deterministic: a fleet already complete in QuestDB (every GPU sample counted) is reused, so a
 * second bench run does not write it again; an incomplete one is written again (the tables deduplicate).
 */
import { backfill, fleetTopology, resolveOptions, type SimOptions } from '../../datasets/simulator/index.js';
import type { TelemetryRow } from '../../src/telemetry/catalogue.js';
import { isoUtc } from '../../src/telemetry/pg-pool.js';
import type { TelemetryReader } from '../../src/telemetry/reader.js';
import type { TelemetryWriter } from '../../src/telemetry/writer.js';

export interface BenchFleet {
  readonly gpus: number;
  /** Name prefix of every cluster, rack, node, sensor and job. */
  readonly prefix: string;
  readonly clusters: readonly string[];
  /** The run's slot: the end of the simulated hour. */
  readonly slot: number;
  /** GPU samples written now (0: the fleet was already complete). */
  readonly written: number;
  readonly seedSeconds: number;
}

/** Symbols that name a place or a job; prefixed so the bench's fleet cannot meet the simulator's defaults. */
const NAMED = ['cluster', 'rack', 'node', 'job_id', 'room', 'sensor'] as const;

function renamed(rows: readonly TelemetryRow[], prefix: string): TelemetryRow[] {
  return rows.map((r) => {
    const symbols = { ...r.symbols };
    for (const k of NAMED) if (symbols[k] !== undefined) symbols[k] = `${prefix}-${symbols[k]}`;
    return { ...r, symbols };
  });
}

/** Rows of the fleet in QuestDB (names as bound parameters: QuestDB's LIKE does not match a bound pattern). */
async function counts(
  reader: TelemetryReader,
  names: { clusters: string[]; racks: string[] },
  from: number,
  to: number,
) {
  const n = async (table: string, column: string, values: string[]) => {
    const list = values.map((_, i) => `$${i + 3}`).join(', ');
    const sql = `SELECT count() n FROM ${table} WHERE ts >= $1 AND ts < $2 AND ${column} IN (${list})`;
    return Number((await reader.query<{ n: string | number }>(sql, [isoUtc(from), isoUtc(to), ...values]))[0]?.n ?? 0);
  };
  return {
    gpu: await n('gpu_metrics', 'cluster', names.clusters),
    facility: await n('facility_metrics', 'rack', names.racks),
    jobs: await n('job_metrics', 'cluster', names.clusters),
  };
}

/** The fleet of `gpus` GPUs with `historyMs` of telemetry before its slot, written unless already complete. */
export async function benchFleet(
  reader: TelemetryReader,
  writer: TelemetryWriter,
  gpus: number,
  historyMs: number,
): Promise<BenchFleet> {
  const started = performance.now();
  const prefix = `bfc${gpus}`;
  const opts: SimOptions = {
    seed: 15,
    gpus,
    start: Date.UTC(2075, 0, 1) + gpus * 86_400_000,
    hours: historyMs / 3_600_000,
  };
  const o = resolveOptions(opts);
  const topology = fleetTopology(opts);
  const names = {
    clusters: topology.clusters.map((c) => `${prefix}-${c}`),
    racks: topology.racks.map((r) => `${prefix}-${r.name}`),
  };
  const fleet = { gpus, prefix, clusters: names.clusters, slot: o.end };
  const expectedGpu = gpus * o.steps;
  if ((await counts(reader, names, o.start, o.end)).gpu === expectedGpu) {
    return { ...fleet, written: 0, seedSeconds: (performance.now() - started) / 1000 };
  }
  let shown = -1;
  const summary = await backfill(
    {
      write: (table, rows) => writer.write(table, renamed(rows, prefix)),
      // Fault labels train models; the forecast reads none, and the bench keeps fault_labels free of its fleet.
      writeLabels: async () => {},
      flush: () => writer.flush(),
    },
    opts,
    (done, total) => {
      const pct = Math.floor((done / total) * 10);
      if (pct !== shown) process.stderr.write(`forecast bench: writing ${gpus}-GPU fleet ${pct * 10}%\r`);
      shown = pct;
    },
  );
  process.stderr.write('\n');
  // Rows are acknowledged; wait until QuestDB has applied them, so the run reads the whole fleet.
  const want = { gpu: summary.gpuRows, facility: summary.facilityRows, jobs: summary.jobRows };
  const deadline = Date.now() + 300_000;
  for (;;) {
    const got = await counts(reader, names, o.start, o.end);
    if (got.gpu >= want.gpu && got.facility >= want.facility && got.jobs >= want.jobs) break;
    if (Date.now() > deadline) {
      throw new Error(`forecast bench: fleet not visible in QuestDB after 300 s: ${JSON.stringify({ got, want })}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { ...fleet, written: summary.gpuRows, seedSeconds: (performance.now() - started) / 1000 };
}
