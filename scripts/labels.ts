/**
 * `npm run labels -- import <csv> [--dry-run]`: fault labels from history (RMA exports, ticket dumps, operators'
 * spreadsheets) into `fault_labels`, through exactly the validation POST /v1/labels uses
 * (src/telemetry/field-labels.ts). The header names the fields: `device,fault_type,start,failure,source,note`
 * plus optional `cluster,rack,node,gpu,xid`; an empty cell is absent; `start`/`failure` are ISO-8601 with a zone or
 * epoch ms. Any bad row stops the import before anything is written, each problem named with its CSV line; a
 * valid file is written as one request, which QuestDB stores whole or not at all. Importing a file again
 * changes nothing (labels are keyed by start, device and fault type).
 */
import { Command } from 'commander';
import { loadConfig } from '../src/config.js';
import { fieldLabelRow, validateLabels } from '../src/telemetry/field-labels.js';
import { migrate } from '../src/telemetry/migrate.js';
import { TelemetryReader } from '../src/telemetry/reader.js';
import { MAX_ROW_ERRORS } from '../src/telemetry/validate-rows.js';
import { TelemetryWriter } from '../src/telemetry/writer.js';
import { readCsvTable } from '../training/data/csv-frame.js';

/** CSV cells are text: times and XIDs written as plain integers become numbers, an empty cell is absent. */
function rowOf(header: readonly string[], cells: readonly string[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  header.forEach((name, i) => {
    const cell = cells[i].trim();
    if (cell === '') return;
    row[name] = ['start', 'failure', 'xid'].includes(name) && /^\d+$/.test(cell) ? Number(cell) : cell;
  });
  return row;
}

async function importCsv(file: string, opts: { dryRun?: boolean }): Promise<void> {
  const csv = await readCsvTable(file);
  const result = validateLabels(csv.rows.map((cells) => rowOf(csv.header, cells)));
  if (result.errors.length > 0) {
    for (const e of result.errors) console.error(`error: line ${csv.lines[e.row]}: ${e.field || 'row'}: ${e.reason}`);
    const more = result.truncated ? ` (only the first ${MAX_ROW_ERRORS} shown)` : '';
    throw new Error(`${file}: ${result.errors.length} problem(s)${more}; nothing was stored`);
  }
  if (opts.dryRun) {
    console.log(JSON.stringify({ file, valid: result.labels.length, stored: 0 }));
    return;
  }
  const config = loadConfig();
  const reader = TelemetryReader.connect(config.questdb);
  const writer = await TelemetryWriter.connect(config.questdb);
  try {
    await migrate(reader);
    await writer.writeDurable('fault_labels', result.labels.map(fieldLabelRow));
  } finally {
    await writer.close();
    await reader.close();
  }
  console.log(JSON.stringify({ file, stored: result.labels.length }));
}

const program = new Command('labels').description('fault labels from the field');
program
  .command('import <csv>')
  .description('validate a CSV of fault labels and store it whole (nothing on any bad row)')
  .option('--dry-run', 'validate only')
  .action(importCsv);

program.parseAsync().catch((err) => {
  console.error(`error: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
