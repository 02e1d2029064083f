/**
 * ILP-over-HTTP writer on `@questdb/nodejs-client`. One Sender, auto-flush off: this class owns the flush policy
 * because the client only checks its interval inside `at()` and `close()` does not flush.
 *
 * - `write`/`writeRows` buffer rows; a flush runs when `flushRows` are pending and on a timer.
 * - Back-pressure: when `maxPendingRows` are buffered, callers await the running flush instead of growing memory.
 * - `writeDurable` appends and awaits the flush that carries its rows (group commit: concurrent callers share one
 *   HTTP request), so the ingest API reports rows as stored only after QuestDB acknowledged them.
 * - Flushes are serialised; a failed flush rejects every caller whose rows it carried, and its rows are dropped
 *   (never reported as stored). Transient HTTP failures are retried inside the client up to `retry_timeout`.
 * - `close()` flushes, then closes: no accepted row is lost on shutdown.
 */
import { Sender } from '@questdb/nodejs-client';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { FaultLabel, TelemetryRow, TelemetryTable } from './catalogue.js';
import { TELEMETRY_TABLES } from './catalogue.js';

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

export class TelemetryWriter {
  private pending = 0;
  private flushChain: Promise<void> = Promise.resolve();
  private inFlight: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Rows acknowledged by QuestDB since start (for metrics and tests). */
  rowsWritten = 0;

  private constructor(
    private readonly sender: Sender,
    private readonly cfg: Config['questdb'],
    private readonly log?: FastifyBaseLogger,
  ) {
    this.timer = setInterval(() => {
      if (this.pending > 0) this.flush().catch((err) => this.log?.error({ err }, 'background flush failed'));
    }, cfg.flushIntervalMs);
    this.timer.unref();
  }

  static async connect(cfg: Config['questdb'], log?: FastifyBaseLogger): Promise<TelemetryWriter> {
    const url = new URL(cfg.httpUrl);
    const conf =
      `${url.protocol === 'https:' ? 'https' : 'http'}::addr=${url.host};auto_flush=off;` +
      `request_timeout=${cfg.timeoutMs};retry_timeout=${cfg.timeoutMs};request_min_throughput=102400;`;
    const sender = await Sender.fromConfig(conf);
    return new TelemetryWriter(sender, cfg, log);
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

  async writeDurable(table: string, rows: readonly TableRow[]): Promise<void> {
    this.append(table, rows);
    await this.flush();
  }

  async writeLabels(labels: readonly FaultLabel[]): Promise<void> {
    await this.writeRows('fault_labels', labels.map(labelRow));
  }

  /** Send everything buffered now; resolves when QuestDB acknowledged it. Serialised. */
  flush(): Promise<void> {
    const run = this.flushChain.then(() => this.flushOnce());
    // Keep the chain alive after a failure; the caller still sees the error through `run`.
    this.flushChain = run.catch(() => {});
    this.inFlight = run;
    return run;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    try {
      await this.flush();
    } finally {
      await this.sender.close();
    }
  }

  private async flushOnce(): Promise<void> {
    const rows = this.pending;
    if (rows === 0) return;
    this.pending = 0;
    try {
      await this.sender.flush();
      this.rowsWritten += rows;
    } catch (err) {
      this.log?.error({ err, rows }, 'QuestDB flush failed; rows dropped');
      throw new AppError('STORAGE_UNAVAILABLE', `QuestDB rejected or did not acknowledge ${rows} rows`, undefined, {
        cause: err,
      });
    }
  }

  /** Synchronous on purpose: a batch lands in the buffer whole, never interleaved with another caller's rows. */
  private append(table: string, rows: readonly TableRow[]): void {
    if (this.closed) throw new AppError('STORAGE_UNAVAILABLE', 'writer is closed');
    const s = this.sender;
    for (const r of rows) {
      s.table(table);
      if (r.symbols) for (const k in r.symbols) s.symbol(k, r.symbols[k]);
      if (r.doubles) for (const k in r.doubles) s.floatColumn(k, r.doubles[k]);
      if (r.longs) for (const k in r.longs) s.intColumn(k, r.longs[k]);
      if (r.strings) for (const k in r.strings) s.stringColumn(k, r.strings[k]);
      if (r.timestamps) for (const k in r.timestamps) s.timestampColumn(k, r.timestamps[k], 'ms');
      // With auto-flush off, at() completes the row synchronously; its promise only wraps a no-op flush check.
      void s.at(r.ts, 'ms');
    }
    this.pending += rows.length;
  }
}
