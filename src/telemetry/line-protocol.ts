/**
 * QuestDB's line protocol (ILP) for whole batches of rows: byte for byte what `@questdb/nodejs-client`'s
 * SenderBuffer writes for the same table/symbol/column/at calls (line-protocol.test.ts compares the two on every
 * kind of value, escapes included), at a fraction of its cost. The client's buffer writes and escapes one
 * character at a time (`Buffer.write` per character) and re-validates every column name on every row; that was
 * most of the ingest path's time (README: Benchmarks). Here a value is written whole when it needs no escape, and
 * a name is checked once — by the client's own rules (a probe call on its buffer), so they live in one place.
 *
 * Protocol versions: 1 writes doubles as text and the designated timestamp in nanoseconds; 2 and 3 (what QuestDB
 * 9 negotiates) write doubles as 8 binary bytes and timestamps in microseconds with a `t` suffix. The writer's
 * transport stays the client's.
 */
import { createBuffer, type SenderBuffer, type SenderOptions } from '@questdb/nodejs-client';
import type { TableRow } from './writer.js';

/** ILP's marker for a binary value (`name==<type><bytes>`) and its type byte for a double. */
const BINARY_DOUBLE = [0x3d, 16] as const;
const NEEDS_ESCAPE = /[ ,=\n\r\\]/;
const NEEDS_QUOTED_ESCAPE = /["\n\r\\]/;

/** Symbol values and names: space, comma and equals are escaped, as are newlines and backslashes. */
function escapeUnquoted(s: string): string {
  return NEEDS_ESCAPE.test(s) ? s.replace(/[ ,=\n\r\\]/g, (ch) => (ch === '\\' ? '\\\\' : `\\${ch}`)) : s;
}

/** String column values (inside quotes): the quote, newlines and backslashes are escaped. */
function escapeQuoted(s: string): string {
  return NEEDS_QUOTED_ESCAPE.test(s) ? s.replace(/["\n\r\\]/g, (ch) => (ch === '\\' ? '\\\\' : `\\${ch}`)) : s;
}

function integer(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw new Error(`${what} must be an integer, received ${value}`);
  return value;
}

/** `ms` scaled by 10^zeros as decimal text: exact for any integer, as the client's BigInt arithmetic is. */
const scaled = (ms: number, zeros: string) => (ms === 0 ? '0' : `${ms}${zeros}`);

export class LineEncoder {
  private buf = Buffer.allocUnsafe(64 * 1024);
  private pos = 0;
  /** Names the client's rules accepted, escaped. */
  private readonly tables = new Map<string, string>();
  private readonly columns = new Map<string, string>();
  private readonly probe: SenderBuffer;

  private constructor(
    options: SenderOptions,
    private readonly binaryDoubles: boolean,
  ) {
    this.probe = createBuffer(options);
  }

  /** An encoder for the protocol version `options` carries (resolved, as `createBuffer` needs it). */
  static for(options: SenderOptions): LineEncoder {
    const version = Number(options.protocol_version);
    if (![1, 2, 3].includes(version)) throw new Error(`unsupported ILP protocol version ${options.protocol_version}`);
    return new LineEncoder(options, version >= 2);
  }

  /** Every row of `rows` as ILP for `table`; throws (and keeps nothing) when a value cannot be encoded. */
  encode(table: string, rows: readonly TableRow[]): Buffer {
    this.pos = 0;
    const name = this.tableName(table);
    for (const r of rows) {
      this.text(name);
      let hasSymbols = false;
      let sep = ' ';
      if (r.symbols)
        for (const k in r.symbols) {
          this.text(`,${this.column(k)}=${escapeUnquoted(String(r.symbols[k]))}`);
          hasSymbols = true;
        }
      if (r.doubles)
        for (const k in r.doubles) {
          const v = r.doubles[k];
          if (typeof v !== 'number') throw new Error(`Column value must be of type number, received ${typeof v}`);
          if (this.binaryDoubles) {
            this.text(`${sep}${this.column(k)}=`);
            this.double(v);
          } else this.text(`${sep}${this.column(k)}=${v}`);
          sep = ',';
        }
      if (r.longs)
        for (const k in r.longs) {
          this.text(`${sep}${this.column(k)}=${integer(r.longs[k], 'Value')}i`);
          sep = ',';
        }
      if (r.strings)
        for (const k in r.strings) {
          const v = r.strings[k];
          if (typeof v !== 'string') throw new Error(`Column value must be of type string, received ${typeof v}`);
          this.text(`${sep}${this.column(k)}="${escapeQuoted(v)}"`);
          sep = ',';
        }
      if (r.timestamps)
        for (const k in r.timestamps) {
          this.text(`${sep}${this.column(k)}=${scaled(integer(r.timestamps[k], 'Timestamp value'), '000')}t`);
          sep = ',';
        }
      if (!hasSymbols && sep === ' ') throw new Error('The row must have a symbol or column set before it is closed');
      const ts = integer(r.ts, 'Designated timestamp');
      this.text(this.binaryDoubles ? ` ${scaled(ts, '000')}t\n` : ` ${scaled(ts, '000000')}\n`);
    }
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  private tableName(table: string): string {
    let escaped = this.tables.get(table);
    if (escaped === undefined) {
      this.probe.reset();
      this.probe.table(table); // throws on a name the client refuses
      escaped = escapeUnquoted(table);
      this.tables.set(table, escaped);
    }
    return escaped;
  }

  private column(name: string): string {
    let escaped = this.columns.get(name);
    if (escaped === undefined) {
      this.probe.reset();
      this.probe.table('probe').symbol(name, 'x'); // throws on a name the client refuses
      escaped = escapeUnquoted(name);
      this.columns.set(name, escaped);
    }
    return escaped;
  }

  private room(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  private text(s: string): void {
    this.room(s.length * 3); // UTF-8 needs at most 3 bytes per UTF-16 unit
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  private double(v: number): void {
    this.room(10);
    this.buf[this.pos++] = BINARY_DOUBLE[0];
    this.buf[this.pos++] = BINARY_DOUBLE[1];
    this.pos = this.buf.writeDoubleLE(v, this.pos);
  }
}
