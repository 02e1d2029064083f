/**
 * ILP-over-HTTP writer on `@questdb/nodejs-client`'s HTTP transport, with the batch encoder of line-protocol.ts
 * (the client's bytes, far cheaper); this class owns batching and the flush policy, because the client's Sender
 * keeps one shared buffer and drops it on a failed flush.
 *
 * Every call's rows are encoded at once into a batch of their own. A flush sends the pending batches as one HTTP
 * request per table (group commit: concurrent callers share a request); a table's requests go one after another,
 * each table on its own (an audit row never waits behind a telemetry flush), and EACH batch is settled by what
 * QuestDB said about the request that carried it:
 * - acknowledged (204): every batch in it is stored;
 * - rejected as bad data (HTTP 4xx): the request is re-sent batch by batch, so one caller's bad row fails only that
 *   caller's batch (a single-table ILP request is all-or-nothing in QuestDB, measured: a bad row stores nothing);
 * - unavailable (timeout, refused, 5xx after the client's own retries up to `retry_timeout`): every batch in it fails.
 * A failed batch is never reported as stored; it is dropped, and its callers see `STORAGE_UNAVAILABLE` (or
 * `STORAGE_REJECTED` for bad data). Tables deduplicate on timestamp + identity, so a client that retries after a
 * failure whose request QuestDB committed anyway (a stall that outlives the timeout) stores no copy.
 *
 * - `writeDurable` resolves only when QuestDB acknowledged that caller's own rows (the ingest API, audits).
 * - `writeRows` buffers; a flush runs at `flushRows` pending rows and on a timer. `flush()` resolves when every
 *   batch pending at the call is acknowledged, and rejects if any of them failed (forecasts await it).
 * - Back-pressure: at `maxPendingRows` buffered, callers wait for the running flush instead of growing memory.
 * - `close()` flushes, then closes: no accepted row is lost on shutdown.
 */
import { createTransport, SenderOptions, type SenderTransport } from '@questdb/nodejs-client';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import { withTimeout } from '../timeout.js';
import type { FaultLabel, TelemetryRow, TelemetryTable } from './catalogue.js';
import { TELEMETRY_TABLES } from './catalogue.js';
import { LineEncoder } from './line-protocol.js';

/** One row for any table (telemetry, scores, audit). */
export interface TableRow {
  /** Epoch ms: the designated timestamp. */
  readonly ts: number;
  readonly symbols?: Readonly<Record<string, string>>;
  readonly doubles?: Readonly<Record<string, number>>;
  readonly longs?: Readonly<Record<string, number>>;
  readonly strings?: Readonly<Record<string, string>>;
  /** Epoch ms. */
  readonly timestamps?: Readonly<Record<string, number>>;
}

/** Split a catalogue row's values into LONG and DOUBLE columns as the catalogue types them. */
export function toTableRow(table: TelemetryTable, row: TelemetryRow): TableRow {
  const doubles: Record<string, number> = {};
  const longs: Record<string, number> = {};
  for (const f of TELEMETRY_TABLES[table].fields) {
    const v = row.values[f.name];
    if (v === undefined || v === null) continue;
    if (f.type === 'long') longs[f.name] = Math.round(v);
    else doubles[f.name] = v;
  }
  return { ts: row.ts, symbols: row.symbols, doubles, longs };
}

export function labelRow(l: FaultLabel): TableRow {
  return {
    ts: l.onsetTs,
    symbols: { device: l.device, cluster: l.cluster, rack: l.rack, node: l.node, gpu: l.gpu, fault_type: l.faultType },
    timestamps: { failure_ts: l.failureTs },
    longs: { xid: l.xid },
  };
}

/** One caller's rows, encoded, and the promise its caller (and any `flush()`) waits on. */
interface Batch {
  readonly table: string;
  readonly data: Buffer;
  readonly rows: number;
  readonly done: Promise<void>;
  settle(err?: Error): void;
}

/** Bytes per HTTP request before a group is split (a single batch larger than this still goes alone). */
const MAX_REQUEST_BYTES = 8 * 1024 * 1024;

function newBatch(table: string, data: Buffer, rows: number): Batch {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A batch nobody awaits (background writes) must not become an unhandled rejection; its failure is logged.
  done.catch(() => {});
  return { table, data, rows, done, settle: (err) => (err ? reject(err) : resolve()) };
}

/** The HTTP status in the client's error message, when QuestDB answered at all. */
function httpStatusOf(err: unknown): number | undefined {
  const m = /statusCode=(\d{3})/.exec(err instanceof Error ? err.message : String(err));
  return m ? Number(m[1]) : undefined;
}

/** QuestDB refused the data itself (a retry of the same bytes fails again), as opposed to being unavailable. */
const isDataRejection = (status: number | undefined) =>
  status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429;

export class TelemetryWriter {
  /** Encoded batches not yet sent, per table. */
  private readonly queues = new Map<string, Batch[]>();
  private pending = 0;
  /** Per table, the last send: a table's requests go one after another (group commit), tables independently. */
  private readonly chains = new Map<string, Promise<void>>();
  private inFlight: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Rows acknowledged by QuestDB since start (for metrics and tests). */
  rowsWritten = 0;
  /** Rows whose flush failed (never reported as stored). */
  rowsFailed = 0;

  private constructor(
    private readonly encoder: LineEncoder,
    private readonly transport: SenderTransport,
    private readonly cfg: Config['questdb'],
    private readonly log?: FastifyBaseLogger,
  ) {
    this.timer = setInterval(() => {
      if (this.pending > 0)
        this.flush().catch((err) => this.log?.error({ err: err.message }, 'background flush failed'));
    }, cfg.flushIntervalMs);
    this.timer.unref();
  }

  static async connect(cfg: Config['questdb'], log?: FastifyBaseLogger): Promise<TelemetryWriter> {
    const url = new URL(cfg.httpUrl);
    const conf =
      `${url.protocol === 'https:' ? 'https' : 'http'}::addr=${url.host};auto_flush=off;` +
      `request_timeout=${cfg.timeoutMs};retry_timeout=${cfg.timeoutMs};request_min_throughput=102400;` +
      // Node's http transport: its retries stop at retry_timeout. The undici one (the default) retried a refused
      // connection forever, past its own abort signal, so a request to a dead QuestDB never answered (measured).
      'stdlib_http=on;';
    const options = await SenderOptions.fromConfig(conf);
    return new TelemetryWriter(LineEncoder.for(options), createTransport(options), cfg, log);
  }

  async write(table: TelemetryTable, rows: readonly TelemetryRow[]): Promise<void> {
    await this.writeRows(
      table,
      rows.map((r) => toTableRow(table, r)),
    );
  }

  async writeRows(table: string, rows: readonly TableRow[]): Promise<void> {
    if (this.pending >= this.cfg.maxPendingRows && this.inFlight) await this.inFlight.catch(() => {});
    this.append(table, rows);
    if (this.pending >= this.cfg.flushRows) await this.flush();
  }

  /** Resolves only when QuestDB acknowledged these rows; rejects when they were not stored. */
  async writeDurable(table: string, rows: readonly TableRow[]): Promise<void> {
    const batch = this.append(table, rows);
    if (!batch) return;
    void this.flushTable(table).catch(() => {});
    await batch.done;
  }

  async writeLabels(labels: readonly FaultLabel[]): Promise<void> {
    await this.writeRows('fault_labels', labels.map(labelRow));
  }

  /** Send everything buffered now; resolves when QuestDB acknowledged all of it, rejects if any of it failed. */
  async flush(): Promise<void> {
    const waiting = [...this.queues.values()].flatMap((q) => q.map((b) => b.done));
    // Every table with a send queued or running: batches already in flight settle through those; wait for them too.
    const runs = [...new Set([...this.queues.keys(), ...this.chains.keys()])].map((t) => this.flushTable(t));
    const run = Promise.all(runs).then(() => {});
    this.inFlight = run;
    await Promise.all([run, ...waiting]);
  }

  /**
   * Send `table`'s pending batches after its previous request: batches appended while that one is in flight ride
   * together in the next (group commit). Another table's request never holds this one up (an audit row does not
   * wait behind a large telemetry flush). Rejects if a batch it sent failed.
   */
  private flushTable(table: string): Promise<void> {
    const run = (this.chains.get(table) ?? Promise.resolve()).then(() => this.sendPending(table));
    this.chains.set(
      table,
      run.catch(() => {}),
    );
    return run;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    try {
      await this.flush();
    } finally {
      await this.transport.close();
    }
  }

  /** Take `table`'s pending batches and send them, in chunks under MAX_REQUEST_BYTES; rejects if any failed. */
  private async sendPending(table: string): Promise<void> {
    const batches = this.queues.get(table);
    if (!batches || batches.length === 0) return;
    this.queues.delete(table);
    this.pending -= batches.reduce((n, b) => n + b.rows, 0);
    let firstError: Error | undefined;
    for (const chunk of chunksOf(batches)) {
      const err = await this.sendGroup(chunk); // every chunk is sent, whatever an earlier one did
      firstError ??= err;
    }
    if (firstError) throw firstError;
  }

  /** Send batches of one table as one request; on a data rejection, one request per batch. */
  private async sendGroup(group: readonly Batch[]): Promise<Error | undefined> {
    try {
      const data = group.length === 1 ? group[0].data : Buffer.concat(group.map((b) => b.data));
      // A last bound on one send, whatever the transport's own timeouts do.
      await withTimeout(this.transport.send(data), 2 * this.cfg.timeoutMs + 1_000, 'no answer from QuestDB');
      for (const b of group) this.stored(b);
      return undefined;
    } catch (err) {
      const status = httpStatusOf(err);
      if (group.length > 1 && isDataRejection(status)) {
        let firstError: Error | undefined;
        for (const b of group) {
          const err = await this.sendGroup([b]);
          firstError ??= err;
        }
        return firstError;
      }
      const rows = group.reduce((n, b) => n + b.rows, 0);
      this.rowsFailed += rows;
      this.log?.error({ err: (err as Error).message, rows, table: group[0].table }, 'QuestDB did not store rows');
      const failure = isDataRejection(status)
        ? new AppError('STORAGE_REJECTED', `QuestDB rejected ${rows} rows for ${group[0].table}: ${clip(err)}`)
        : new AppError(
            'STORAGE_UNAVAILABLE',
            `QuestDB did not acknowledge ${rows} rows for ${group[0].table}`,
            undefined,
            {
              cause: err,
            },
          );
      for (const b of group) b.settle(failure);
      return failure;
    }
  }

  private stored(b: Batch): void {
    this.rowsWritten += b.rows;
    b.settle();
  }

  /** Synchronous on purpose: a caller's rows are encoded whole into a batch of their own, never interleaved. */
  private append(table: string, rows: readonly TableRow[]): Batch | undefined {
    if (this.closed) throw new AppError('STORAGE_UNAVAILABLE', 'writer is closed');
    if (rows.length === 0) return undefined;
    let data: Buffer;
    try {
      data = this.encoder.encode(table, rows);
    } catch (err) {
      // The encoder refused a value (e.g. a non-integer LONG): nothing of this call is kept.
      throw new AppError('STORAGE_REJECTED', `row could not be encoded for ${table}: ${clip(err)}`);
    }
    const batch = newBatch(table, data, rows.length);
    const queue = this.queues.get(table);
    if (queue) queue.push(batch);
    else this.queues.set(table, [batch]);
    this.pending += rows.length;
    return batch;
  }
}

const clip = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 300);

/** Consecutive slices of a table's batches, each under MAX_REQUEST_BYTES (a larger batch goes alone). */
function* chunksOf(group: readonly Batch[]): Generator<Batch[]> {
  let chunk: Batch[] = [];
  let bytes = 0;
  for (const b of group) {
    if (chunk.length > 0 && bytes + b.data.length > MAX_REQUEST_BYTES) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(b);
    bytes += b.data.length;
  }
  if (chunk.length > 0) yield chunk;
}
