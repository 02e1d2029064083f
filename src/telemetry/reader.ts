/**
 * SQL reader over QuestDB's PG wire. Values always travel as bound parameters; the only identifiers placed in SQL
 * text are column names checked against the catalogue and integer sample periods, never user strings.
 * Dependencies run one way: the reader knows the feature names it reads for (src/features: peer and rack fields,
 * the Series shape); src/features never imports src/telemetry.
 */
import type pg from 'pg';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import { baseFields, isPeerField, JOB_FIELD, peerBase, withPeerFields } from '../features/peers.js';
import { isRackField, RACK_PREFIX, rackBase, rackFacilityFields } from '../features/rack-fields.js';
import type { Series } from '../features/windows.js';
import {
  CAUGHT_DEGRADATION_SPAN_MS,
  deviceId,
  FACILITY_METRICS,
  type FaultLabel,
  type FaultType,
  GPU_METRICS,
  JOB_METRICS,
  type TelemetryRow,
} from './catalogue.js';
import { densify } from './densify.js';
import { bindAll, createPgPool, isoUtc } from './pg-pool.js';

export interface DeviceInfo {
  readonly device: string;
  readonly cluster: string;
  readonly rack: string;
  readonly node: string;
  readonly gpu: string;
  readonly gpuModel: string;
}

export interface GpuSeriesQuery {
  /** Epoch ms, inclusive. */
  readonly from: number;
  /** Epoch ms, exclusive. */
  readonly to: number;
  /**
   * gpu_metrics numeric fields, peer fields over them (src/features/peers.ts, e.g. `below-peers:gpu_util`) and
   * rack fields over facility_metrics (src/features/rack-fields.ts, e.g. `rack:inlet_temp_c`).
   */
  readonly fields: readonly string[];
  readonly samplePeriodMs: number;
  /** Device ids (`node/gpu`); all devices when absent. */
  readonly devices?: readonly string[];
  readonly cluster?: string;
}

const GPU_FIELDS = new Set(GPU_METRICS.fields.map((f) => f.name));
const FACILITY_FIELDS = new Set(FACILITY_METRICS.fields.map((f) => f.name));
/** The most buckets one query may ask for per device: bounds memory against a careless range. */
const MAX_BUCKETS = 100_000;

export class TelemetryReader {
  private constructor(private readonly pool: pg.Pool) {}

  /** `log` hears idle-connection errors (a QuestDB restart); they never crash the process. */
  static connect(cfg: Config['questdb'], log?: { warn(obj: object, msg: string): void }): TelemetryReader {
    return new TelemetryReader(
      createPgPool(cfg, 4, (err) =>
        log?.warn({ err: err.message }, 'QuestDB connection lost; reconnecting on next query'),
      ),
    );
  }

  /**
   * Wait until QuestDB answers, retrying with backoff up to `timeoutMs` (a process may start before its database,
   * e.g. both started by one orchestrator). Logs each failed try; throws STORAGE_UNAVAILABLE past the deadline.
   */
  async waitUntilAvailable(timeoutMs: number, log?: { warn(obj: object, msg: string): void }): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (let delay = 250, attempt = 1; ; attempt++, delay = Math.min(delay * 2, 5_000)) {
      try {
        await this.query('SELECT 1');
        return;
      } catch (err) {
        const left = deadline - Date.now();
        if (left <= 0) throw err;
        log?.warn({ attempt, retryInMs: Math.min(delay, left), err: (err as Error).message }, 'waiting for QuestDB');
        await new Promise((r) => setTimeout(r, Math.min(delay, left)));
      }
    }
  }

  async query<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    try {
      const res = await this.pool.query(sql, params as unknown[]);
      return res.rows as T[];
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new AppError('STORAGE_UNAVAILABLE', `QuestDB query failed: ${message}`, undefined, { cause: err });
    }
  }

  /** True when QuestDB answers a trivial query (for /readyz). */
  async ping(): Promise<boolean> {
    try {
      await this.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Dense, aligned per-device series over [from, to): one row every `samplePeriodMs`, the same timestamps for
   * every device. QuestDB averages into buckets (SAMPLE BY ... FILL(PREV)); `densify` completes the grid at the
   * edges QuestDB's keyed fill does not cover.
   *
   * Peer fields (src/features/peers.ts) also read each bucket's job (`last(job_id)`, filled like the values) and
   * compare every GPU with the other GPUs of its job; with a device filter, the GPUs that share a job with a
   * requested one in the range are read too, and only the requested devices are returned.
   *
   * Rack fields (src/features/rack-fields.ts, e.g. `rack:inlet_temp_c`) read each GPU's rack (`last(rack)`; a GPU
   * is taken to sit in the rack of its last reported bucket) and, in one facility_metrics query for those racks,
   * the field averaged over the rack's sensors per bucket, densified per rack onto the same grid. A GPU whose rack
   * has no facility rows in the range (or never reports that field) gets NaN in that column: nothing is invented.
   */
  async gpuSeries(q: GpuSeriesQuery): Promise<Map<string, Series>> {
    if (q.fields.length === 0) throw new AppError('VALIDATION_FAILED', 'fields must not be empty');
    for (const f of q.fields) {
      if (isRackField(f)) {
        if (!FACILITY_FIELDS.has(rackBase(f)))
          throw new AppError('VALIDATION_FAILED', `unknown facility_metrics field "${f}"`, { field: f });
      } else if (!GPU_FIELDS.has(isPeerField(f) ? peerBase(f) : f)) {
        throw new AppError('VALIDATION_FAILED', `unknown gpu_metrics field "${f}"`, { field: f });
      }
    }
    if (!Number.isInteger(q.samplePeriodMs) || q.samplePeriodMs < 1) {
      throw new AppError('VALIDATION_FAILED', `samplePeriodMs must be a positive integer, got ${q.samplePeriodMs}`);
    }
    const from = Math.floor(q.from / q.samplePeriodMs) * q.samplePeriodMs;
    if (!(q.to > from)) throw new AppError('VALIDATION_FAILED', 'to must be after from');
    if ((q.to - from) / q.samplePeriodMs > MAX_BUCKETS) {
      throw new AppError('VALIDATION_FAILED', `range holds more than ${MAX_BUCKETS} samples per device; narrow it`);
    }
    const params: unknown[] = [isoUtc(from), isoUtc(q.to)];
    let where = 'ts >= $1 AND ts < $2';
    if (q.cluster) {
      params.push(q.cluster);
      where += ` AND cluster = $${params.length}`;
    }
    const peers = q.fields.some(isPeerField);
    const rackFields = rackFacilityFields(q.fields);
    const wanted = q.devices ? new Set(q.devices) : null;
    if (q.devices && q.devices.length > 0) {
      let nodes = [...new Set(q.devices.map((d) => d.split('/')[0]))];
      if (peers) nodes = await this.nodesSharingJobs(where, params, nodes, wanted!);
      where += ` AND node IN (${bindAll(params, nodes)})`;
    }
    const grid = { from, to: q.to, periodMs: q.samplePeriodMs };
    if (!peers && rackFields.length === 0) {
      const cols = q.fields.map((f) => `avg(${f}) ${f}`).join(', ');
      const rows = await this.query<Record<string, number | string | null>>(
        `SELECT ts, node, gpu, ${cols} FROM gpu_metrics WHERE ${where} ` +
          `SAMPLE BY ${q.samplePeriodMs}T FILL(PREV) ALIGN TO CALENDAR ORDER BY node, gpu, ts`,
        params,
      );
      return densify(rows, { ...grid, fields: q.fields, wanted });
    }

    // Fleet read: the gpu_metrics fields the columns need (peer fields' bases; rack fields come from
    // facility_metrics), each bucket's job for peer fields and its rack for rack fields. Job ids become integer
    // codes per read (none = -1) so densify fills their edges too.
    const base = baseFields(q.fields).filter((f) => !isRackField(f));
    const cols = [
      ...base.map((f) => `avg(${f}) ${f}`),
      ...(peers ? [`last(${JOB_FIELD}) ${JOB_FIELD}`] : []),
      ...(rackFields.length > 0 ? ['last(rack) rack'] : []),
    ].join(', ');
    const rows = await this.query<Record<string, number | string | null>>(
      `SELECT ts, node, gpu, ${cols} FROM gpu_metrics WHERE ${where} ` +
        `SAMPLE BY ${q.samplePeriodMs}T FILL(PREV) ALIGN TO CALENDAR ORDER BY node, gpu, ts`,
      params,
    );
    const rackOf = new Map<string, string>();
    if (rackFields.length > 0) {
      for (const r of rows)
        if (r.rack != null && r.rack !== '') rackOf.set(deviceId(String(r.node), String(r.gpu)), String(r.rack));
    }
    const codes = new Map<string, number>();
    if (peers) {
      for (const r of rows) {
        const job = r[JOB_FIELD];
        let code = -1;
        if (job !== null && job !== undefined && job !== '') {
          code = codes.get(String(job)) ?? codes.size;
          codes.set(String(job), code);
        }
        r[JOB_FIELD] = code;
      }
    }
    let fleet = densify(rows, {
      ...grid,
      fields: peers ? [...base, JOB_FIELD] : base,
      // Peers need every GPU read; without them only the requested ones are kept.
      wanted: peers ? null : wanted,
    });
    const jobs = new Map<string, Int32Array>();
    if (peers) {
      const width = base.length + 1;
      for (const [device, s] of fleet) {
        const job = new Int32Array(s.ts.length);
        for (let i = 0; i < job.length; i++) {
          const code = s.values[i * width + base.length];
          job[i] = Number.isNaN(code) ? -1 : code;
        }
        jobs.set(device, job);
      }
    }
    if (rackFields.length > 0) {
      // Only the returned devices' racks (peers read for a device filter are dropped below).
      const returned = [...fleet.keys()].filter((d) => !wanted || wanted.has(d));
      const racks = [...new Set(returned.flatMap((d) => rackOf.get(d) ?? []))];
      fleet = withRackColumns(fleet, rackOf, await this.rackSeries(grid, rackFields, racks), rackFields);
    }
    // Exactly q.fields, in order: peer columns computed, plain and rack columns copied by name.
    const out = withPeerFields(fleet, jobs, q.fields);
    if (wanted) for (const device of out.keys()) if (!wanted.has(device)) out.delete(device);
    return out;
  }

  /**
   * Per rack, `fields` of facility_metrics averaged over the rack's sensors per bucket, dense on the grid. Racks
   * without rows in the range are absent.
   */
  private async rackSeries(
    grid: { from: number; to: number; periodMs: number },
    fields: readonly string[],
    racks: readonly string[],
  ): Promise<Map<string, Series>> {
    if (racks.length === 0) return new Map();
    const params: unknown[] = [isoUtc(grid.from), isoUtc(grid.to)];
    const inRacks = bindAll(params, racks);
    const cols = fields.map((f) => `avg(${f}) ${f}`).join(', ');
    const rows = await this.query<Record<string, number | string | null>>(
      `SELECT ts, rack, ${cols} FROM ${FACILITY_METRICS.name} WHERE ts >= $1 AND ts < $2 AND rack IN (${inRacks}) ` +
        `SAMPLE BY ${grid.periodMs}T FILL(PREV) ALIGN TO CALENDAR ORDER BY rack, ts`,
      params,
    );
    return densify(rows, { ...grid, fields, wanted: null, key: (r) => String(r.rack) });
  }

  /**
   * The nodes of the requested devices plus every node that ran, in the range, a job one of those devices ran:
   * a peer field needs all of a job's GPUs.
   */
  private async nodesSharingJobs(
    where: string,
    params: readonly unknown[],
    nodes: readonly string[],
    wanted: ReadonlySet<string>,
  ): Promise<string[]> {
    const p = [...params];
    const inNodes = bindAll(p, nodes);
    const ran = await this.query<{ node: string; gpu: string; job_id: string }>(
      `SELECT DISTINCT node, gpu, ${JOB_FIELD} FROM gpu_metrics WHERE ${where} AND node IN (${inNodes}) ` +
        `AND ${JOB_FIELD} IS NOT NULL`,
      p,
    );
    const jobs = [...new Set(ran.filter((r) => wanted.has(deviceId(r.node, r.gpu))).map((r) => r.job_id))];
    if (jobs.length === 0) return [...nodes];
    const q = [...params];
    const inJobs = bindAll(q, jobs);
    const peers = await this.query<{ node: string }>(
      `SELECT DISTINCT node FROM gpu_metrics WHERE ${where} AND ${JOB_FIELD} IN (${inJobs})`,
      q,
    );
    return [...new Set([...nodes, ...peers.map((r) => r.node)])];
  }

  /**
   * Which of `devices` (`node/gpu`) ever reported, at any time: a scan filtered on their nodes, not the whole
   * device list (a DISTINCT over every device of the history took 1.4 s on a 13M-row table, and past the read
   * timeout under load).
   */
  async knownDevices(devices: readonly string[]): Promise<Set<string>> {
    const nodes = [...new Set(devices.map((d) => d.split('/')[0]))];
    if (nodes.length === 0) return new Set();
    const params: unknown[] = [];
    const rows = await this.query<{ node: string; gpu: string }>(
      `SELECT DISTINCT node, gpu FROM gpu_metrics WHERE node IN (${bindAll(params, nodes)})`,
      params,
    );
    const seen = new Set(rows.map((r) => deviceId(r.node, r.gpu)));
    return new Set(devices.filter((d) => seen.has(d)));
  }

  /** GPUs that ever reported, or (with `from`/`to`) that reported in [from, to): a bounded scan. */
  async listDevices(opts: { cluster?: string; from?: number; to?: number } = {}): Promise<DeviceInfo[]> {
    const params: unknown[] = [];
    const conditions: string[] = [];
    if (opts.cluster) conditions.push(`cluster = $${params.push(opts.cluster)}`);
    if (opts.from !== undefined) conditions.push(`ts >= $${params.push(isoUtc(opts.from))}`);
    if (opts.to !== undefined) conditions.push(`ts < $${params.push(isoUtc(opts.to))}`);
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const rows = await this.query<{ cluster: string; rack: string; node: string; gpu: string; gpu_model: string }>(
      `SELECT DISTINCT cluster, rack, node, gpu, gpu_model FROM gpu_metrics ${where} ORDER BY node, gpu`,
      params,
    );
    return rows.map((r) => ({
      device: deviceId(r.node, r.gpu),
      cluster: r.cluster,
      rack: r.rack,
      node: r.node,
      gpu: r.gpu,
      gpuModel: r.gpu_model,
    }));
  }

  /**
   * Labels whose span overlaps [from, to): onset to failure, or for a degradation caught before it failed (no
   * failure_ts) onset to onset + CAUGHT_DEGRADATION_SPAN_MS, marked `caught`.
   */
  async faultLabels(opts: { from: number; to: number }): Promise<FaultLabel[]> {
    const rows = await this.query<Record<string, string | number | null>>(
      'SELECT ts, device, cluster, rack, node, gpu, fault_type, failure_ts, xid FROM fault_labels ' +
        'WHERE ts < $2 AND (failure_ts >= $1 OR (failure_ts IS NULL AND ts >= $3)) ORDER BY ts',
      [isoUtc(opts.from), isoUtc(opts.to), isoUtc(opts.from - CAUGHT_DEGRADATION_SPAN_MS)],
    );
    return rows.map((r) => ({
      ...(r.failure_ts == null ? { caught: true } : {}),
      device: String(r.device),
      cluster: String(r.cluster),
      rack: String(r.rack),
      node: String(r.node),
      gpu: String(r.gpu),
      faultType: String(r.fault_type) as FaultType,
      onsetTs: Number(r.ts),
      failureTs: r.failure_ts == null ? Number(r.ts) + CAUGHT_DEGRADATION_SPAN_MS : Number(r.failure_ts),
      xid: Number(r.xid ?? 0),
    }));
  }

  async jobRows(opts: { from: number; to: number }): Promise<TelemetryRow[]> {
    const rows = await this.query<Record<string, string | number | null>>(
      'SELECT * FROM job_metrics WHERE ts >= $1 AND ts < $2 ORDER BY ts',
      [isoUtc(opts.from), isoUtc(opts.to)],
    );
    return rows.map((r) => {
      const symbols: Record<string, string> = {};
      const values: Record<string, number> = {};
      for (const s of JOB_METRICS.symbols) if (r[s] != null) symbols[s] = String(r[s]);
      for (const f of JOB_METRICS.fields) if (r[f.name] != null) values[f.name] = Number(r[f.name]);
      return { ts: Number(r.ts), symbols, values };
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * `fleet` with a `rack:<field>` column appended per facility field, taken from the series of each device's rack
 * (same grid); NaN where the device's rack is unknown or has no facility series.
 */
function withRackColumns(
  fleet: ReadonlyMap<string, Series>,
  rackOf: ReadonlyMap<string, string>,
  racks: ReadonlyMap<string, Series>,
  fields: readonly string[],
): Map<string, Series> {
  const out = new Map<string, Series>();
  const extra = fields.length;
  const rackColumns = fields.map((f) => RACK_PREFIX + f);
  for (const [device, s] of fleet) {
    const width = s.features.length;
    const n = s.ts.length;
    const rack = racks.get(rackOf.get(device) ?? '');
    const values = new Float64Array(n * (width + extra));
    for (let i = 0; i < n; i++) {
      for (let f = 0; f < width; f++) values[i * (width + extra) + f] = s.values[i * width + f];
      for (let f = 0; f < extra; f++)
        values[i * (width + extra) + width + f] = rack ? rack.values[i * extra + f] : Number.NaN;
    }
    out.set(device, { ts: s.ts, values, features: [...s.features, ...rackColumns] });
  }
  return out;
}
