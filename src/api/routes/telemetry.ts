/**
 * POST /v1/telemetry/{gpu,facility,jobs}: JSON batches of telemetry rows. The batch is validated whole first; any
 * bad row rejects it with 400 and `{row, field, reason}` for each problem, storing nothing. A valid batch is
 * reported as stored only after QuestDB acknowledged it (a durable flush). Replays are harmless: the tables
 * deduplicate on timestamp + identity. A GPU sample that logged a ground-truth XID (48, 64, 79, 95) also becomes a
 * fault label, source `xid` (src/telemetry/xid-labels.ts).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../errors.js';
import { TELEMETRY_TABLES, type TelemetryTable } from '../../telemetry/catalogue.js';
import { fieldLabelRow } from '../../telemetry/field-labels.js';
import { validateRows } from '../../telemetry/validate-rows.js';
import { toTableRow } from '../../telemetry/writer.js';
import { xidLabels } from '../../telemetry/xid-labels.js';

/** Rows per request; the body size limit (API_BODY_LIMIT_BYTES) bounds it too. */
export const MAX_ROWS_PER_BATCH = 50_000;

const ENDPOINTS: ReadonlyArray<{ path: string; table: TelemetryTable }> = [
  { path: '/v1/telemetry/gpu', table: 'gpu_metrics' },
  { path: '/v1/telemetry/facility', table: 'facility_metrics' },
  { path: '/v1/telemetry/jobs', table: 'job_metrics' },
];

function describe(table: TelemetryTable): string {
  const spec = TELEMETRY_TABLES[table];
  const fields = spec.fields.map((f) => `\`${f.name}\` (${f.type === 'long' ? 'integer' : 'number'}): ${f.doc}`);
  return [
    `Rows for \`${table}\`: flat objects with \`ts\` (epoch ms or ISO-8601 with zone),`,
    `symbols ${spec.symbols.map((s) => `\`${s}\``).join(', ')} (required: ${spec.requiredSymbols.join(', ')}), and fields:`,
    '',
    ...fields.map((f) => `- ${f}`),
  ].join('\n');
}

const Stored = Type.Object({
  table: Type.String(),
  stored: Type.Integer(),
  labelled: Type.Optional(Type.Integer({ description: "fault labels (source xid) the batch's XIDs became" })),
});

export default async function telemetryRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  for (const { path, table } of ENDPOINTS) {
    app.post(
      path,
      {
        config: { role: 'operator', audit: false },
        schema: {
          tags: ['telemetry'],
          description: describe(table),
          body: Type.Object({
            rows: Type.Array(Type.Record(Type.String(), Type.Unknown()), { minItems: 1, maxItems: MAX_ROWS_PER_BATCH }),
          }),
          response: { 200: Stored },
        },
      },
      async (request) => {
        const { rows } = request.body;
        const result = validateRows(table, rows);
        if (result.errors.length > 0) {
          throw new AppError(
            'INVALID_ROWS',
            `${result.truncated ? 'more than ' : ''}${result.errors.length} problem(s) in the batch; nothing was stored`,
            { errors: result.errors, truncated: result.truncated, stored: 0 },
          );
        }
        await app.writer.writeDurable(
          table,
          result.rows.map((r) => toTableRow(table, r)),
        );
        // After the telemetry is stored: a failure here answers 503, and the client's retry (harmless for the
        // telemetry, deduplicated) writes the labels again.
        const labels = table === 'gpu_metrics' ? xidLabels(result.rows) : [];
        if (labels.length > 0) await app.writer.writeDurable('fault_labels', labels.map(fieldLabelRow));
        return { table, stored: result.rows.length, ...(labels.length > 0 ? { labelled: labels.length } : {}) };
      },
    );
  }
}
