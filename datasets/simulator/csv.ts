/**
 * CSV output of a simulated run: gpu_metrics.csv, facility_metrics.csv, job_metrics.csv and fault_labels.csv in
 * one folder. Timestamps are ISO 8601 UTC; counters (LONG fields) are integers; gauges keep 3 decimals.
 * Writes honour stream back-pressure, so a day of 256 GPUs streams through in bounded memory.
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type FaultLabel,
  type TableSpec,
  TELEMETRY_TABLES,
  type TelemetryRow,
  type TelemetryTable,
} from '../../src/telemetry/catalogue.js';

export const LABEL_COLUMNS = [
  'device',
  'cluster',
  'rack',
  'node',
  'gpu',
  'fault_type',
  'onset_ts',
  'failure_ts',
  'xid',
] as const;

/** Quote a CSV cell only when it needs it. */
export function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

async function writeChunk(stream: WriteStream, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await once(stream, 'drain');
}

async function endStream(stream: WriteStream): Promise<void> {
  stream.end();
  await once(stream, 'finish');
}

export class CsvTableWriter {
  private readonly stream: WriteStream;
  private readonly isLong: boolean[];
  private readonly fields: readonly string[];
  private readonly symbols: readonly string[];
  rows = 0;

  constructor(path: string, spec: TableSpec) {
    this.stream = createWriteStream(path, { encoding: 'utf8' });
    this.symbols = spec.symbols;
    this.fields = spec.fields.map((f) => f.name);
    this.isLong = spec.fields.map((f) => f.type === 'long');
    this.stream.write(`${['ts', ...this.symbols, ...this.fields].join(',')}\n`);
  }

  async write(rows: readonly TelemetryRow[]): Promise<void> {
    let chunk = '';
    for (const row of rows) {
      let line = new Date(row.ts).toISOString();
      for (const s of this.symbols) line += `,${csvCell(row.symbols[s] ?? '')}`;
      for (let i = 0; i < this.fields.length; i++) {
        const v = row.values[this.fields[i]];
        line +=
          v === undefined || !Number.isFinite(v) ? ',' : `,${this.isLong[i] ? Math.round(v) : Number(v.toFixed(3))}`;
      }
      chunk += `${line}\n`;
    }
    this.rows += rows.length;
    await writeChunk(this.stream, chunk);
  }

  close(): Promise<void> {
    return endStream(this.stream);
  }
}

export async function writeLabelsCsv(path: string, labels: readonly FaultLabel[]): Promise<void> {
  const stream = createWriteStream(path, { encoding: 'utf8' });
  let text = `${LABEL_COLUMNS.join(',')}\n`;
  for (const l of labels) {
    text += `${[l.device, l.cluster, l.rack, l.node, l.gpu, l.faultType].map(csvCell).join(',')},`;
    text += `${new Date(l.onsetTs).toISOString()},${new Date(l.failureTs).toISOString()},${l.xid}\n`;
  }
  await writeChunk(stream, text);
  await endStream(stream);
}

/** One CSV writer per telemetry table, in `dir` (created if missing). */
export async function openCsvTables(dir: string): Promise<Record<TelemetryTable, CsvTableWriter>> {
  await mkdir(dir, { recursive: true });
  const open = (t: TelemetryTable) => new CsvTableWriter(join(dir, `${t}.csv`), TELEMETRY_TABLES[t]);
  return {
    gpu_metrics: open('gpu_metrics'),
    facility_metrics: open('facility_metrics'),
    job_metrics: open('job_metrics'),
  };
}
