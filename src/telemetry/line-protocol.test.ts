import { createBuffer, type SenderBuffer, SenderOptions } from '@questdb/nodejs-client';
import { describe, expect, it } from 'vitest';
import { LineEncoder } from './line-protocol.js';
import type { TableRow } from './writer.js';

/** The same rows through the client's own buffer, call by call, as the writer used to encode them. */
function clientBytes(buffer: SenderBuffer, table: string, rows: readonly TableRow[]): Buffer {
  buffer.reset();
  for (const r of rows) {
    buffer.table(table);
    if (r.symbols) for (const k in r.symbols) buffer.symbol(k, r.symbols[k]);
    if (r.doubles) for (const k in r.doubles) buffer.floatColumn(k, r.doubles[k]);
    if (r.longs) for (const k in r.longs) buffer.intColumn(k, r.longs[k]);
    if (r.strings) for (const k in r.strings) buffer.stringColumn(k, r.strings[k]);
    if (r.timestamps) for (const k in r.timestamps) buffer.timestampColumn(k, r.timestamps[k], 'ms');
    buffer.at(r.ts, 'ms');
  }
  return buffer.toBufferNew() as Buffer;
}

const options = (version: string) => new SenderOptions(`http::addr=127.0.0.1:9000;protocol_version=${version};`);

const awkward = ['plain', 'with space', 'a,b=c', 'line\nbreak\r', 'back\\slash', 'quo"te', 'ünïcødé ✓ 𝄞', '', '  '];

const rows: TableRow[] = [
  {
    ts: Date.UTC(2026, 10, 28, 6),
    symbols: { cluster: 'c0', node: 'c0-r0-n0', gpu: '3' },
    doubles: { gpu_temp_c: 61.5, power_w: -0, ratio: 1e-300, big: 1.7976931348623157e308, nan: Number.NaN },
    longs: { xid_count: 0, ecc: -42, max: Number.MAX_SAFE_INTEGER },
  },
  ...awkward.map((s, i) => ({
    ts: Date.UTC(2026, 10, 28, 7) + i,
    symbols: { device: s || 'x', note_sym: s },
    strings: { reason: s, detail: `"${s}"` },
    timestamps: { started: Date.UTC(2026, 10, 28) + i, zero: 0 },
  })),
  { ts: 0, longs: { only: 1 } },
  { ts: Date.UTC(2099, 11, 31), strings: { only: 'a string column and nothing else' } },
];

describe('LineEncoder', () => {
  for (const version of ['1', '2', '3']) {
    it(`writes what the client's buffer writes, byte for byte (protocol ${version})`, () => {
      const ours = LineEncoder.for(options(version)).encode('audit_table', rows);
      expect(ours.equals(clientBytes(createBuffer(options(version)), 'audit_table', rows))).toBe(true);
    });
  }

  it('reuses its buffer across batches without leaking one batch into the next', () => {
    const enc = LineEncoder.for(options('2'));
    const big = Array.from({ length: 5_000 }, (_, i) => ({ ...rows[0], ts: rows[0].ts + i }));
    const first = enc.encode('t', big);
    const second = enc.encode('t', rows.slice(0, 1));
    expect(second.equals(clientBytes(createBuffer(options('2')), 't', rows.slice(0, 1)))).toBe(true);
    expect(first.equals(clientBytes(createBuffer(options('2')), 't', big))).toBe(true);
  });

  it('refuses what the client refuses: bad names, non-integer longs and timestamps, empty rows', () => {
    const enc = LineEncoder.for(options('2'));
    const ok = { ts: 1, longs: { a: 1 } };
    expect(() => enc.encode('bad/table', [ok])).toThrow(/table name/i);
    expect(() => enc.encode('t', [{ ts: 1, doubles: { 'bad.column': 1 } }])).toThrow(/column name/i);
    expect(() => enc.encode('t', [{ ts: 1, longs: { a: 1.5 } }])).toThrow(/integer/);
    expect(() => enc.encode('t', [{ ts: 1.5, longs: { a: 1 } }])).toThrow(/integer/);
    expect(() => enc.encode('t', [{ ts: 1, timestamps: { at: 2.5 } }])).toThrow(/integer/);
    expect(() => enc.encode('t', [{ ts: 1 }])).toThrow(/symbol or column/);
    // A refused batch leaves nothing behind for the next one.
    expect(enc.encode('t', [ok]).toString()).toBe(clientBytes(createBuffer(options('2')), 't', [ok]).toString());
  });
});
