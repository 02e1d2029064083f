/**
 * Fault labels from the field. POST /v1/labels (operator) stores a batch, validated whole like telemetry: any bad
 * row rejects it with 400 and `{row, field, reason}` for each problem, storing nothing; a valid batch is reported
 * stored only once QuestDB acknowledged it. GET /v1/labels (reader) lists them. A label is keyed by start, device
 * and fault type: posting it again (e.g. with a corrected note or failure time) replaces it.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../errors.js';
import {
  type FieldLabel,
  fieldLabelRow,
  LABEL_FAULT_TYPES,
  LABEL_SOURCES,
  validateLabels,
} from '../../telemetry/field-labels.js';
import { listLabels } from '../../telemetry/queries/fault-labels.js';

/** Labels per request: history goes through the CSV import (`npm run labels -- import`), in batches of this. */
export const MAX_LABELS_PER_BATCH = 10_000;

export const Label = Type.Object({
  device: Type.String(),
  fault_type: Type.String(),
  start: Type.String({ format: 'date-time' }),
  failure: Type.Optional(Type.String({ format: 'date-time', description: 'absent: caught before it failed' })),
  source: Type.Enum(LABEL_SOURCES),
  note: Type.String(),
  cluster: Type.Optional(Type.String()),
  rack: Type.Optional(Type.String()),
  node: Type.Optional(Type.String()),
  gpu: Type.Optional(Type.String()),
  xid: Type.Integer(),
  recommendation_id: Type.Optional(Type.String({ description: 'the recommendation a confirmed outcome labelled' })),
});

export function labelView(l: FieldLabel) {
  return {
    device: l.device,
    fault_type: l.faultType,
    start: new Date(l.start).toISOString(),
    ...(l.failure !== undefined ? { failure: new Date(l.failure).toISOString() } : {}),
    source: l.source,
    note: l.note,
    ...(l.cluster ? { cluster: l.cluster } : {}),
    ...(l.rack ? { rack: l.rack } : {}),
    ...(l.node ? { node: l.node } : {}),
    ...(l.gpu ? { gpu: l.gpu } : {}),
    xid: l.xid,
    ...(l.recommendationId ? { recommendation_id: l.recommendationId } : {}),
  };
}

const DESCRIPTION = [
  'Fault labels: `device` (`node/gpu`, a rack, or a job id), `fault_type`',
  `(${LABEL_FAULT_TYPES.map((t) => `\`${t}\``).join(', ')}), \`start\` and optional \`failure\``,
  '(epoch ms or ISO-8601 with a zone; no `failure`: a degradation caught before it failed),',
  `\`source\` (${LABEL_SOURCES.map((s) => `\`${s}\``).join(', ')}), optional \`note\`, \`cluster\`, \`rack\`,`,
  '`node`, `gpu`, `xid`. The batch is stored whole or not at all.',
].join(' ');

export default async function labelRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/v1/labels',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['labels'],
        description: DESCRIPTION,
        body: Type.Object({
          labels: Type.Array(Type.Record(Type.String(), Type.Unknown()), { maxItems: MAX_LABELS_PER_BATCH }),
        }),
        response: { 200: Type.Object({ stored: Type.Integer() }) },
      },
    },
    async (request) => {
      const { labels } = request.body;
      if (labels.length === 0) throw new AppError('EMPTY_BATCH', 'labels must hold at least one label');
      const result = validateLabels(labels);
      if (result.errors.length > 0) {
        throw new AppError(
          'INVALID_ROWS',
          `${result.truncated ? 'more than ' : ''}${result.errors.length} problem(s) in the batch; nothing was stored`,
          { errors: result.errors, truncated: result.truncated, stored: 0 },
        );
      }
      await app.writer.writeDurable('fault_labels', result.labels.map(fieldLabelRow));
      return { stored: result.labels.length };
    },
  );

  app.get(
    '/v1/labels',
    {
      config: { role: 'reader' },
      schema: {
        tags: ['labels'],
        description: 'Fault labels, newest start first; `from`/`to` bound the start.',
        querystring: Type.Object({
          device: Type.Optional(Type.String({ maxLength: 256 })),
          source: Type.Optional(Type.Enum(LABEL_SOURCES)),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1_000 })),
        }),
        response: { 200: Type.Object({ labels: Type.Array(Label) }) },
      },
    },
    async (request) => {
      const q = request.query;
      const labels = await listLabels(app.reader, {
        ...q,
        from: q.from ? Date.parse(q.from) : undefined,
        to: q.to ? Date.parse(q.to) : undefined,
      });
      return { labels: labels.map(labelView) };
    },
  );
}
