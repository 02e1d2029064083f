/**
 * Named query over `fault_labels` (migration 001; source, note and recommendation_id from 010).
 *
 * listLabels(reader, filter)
 *   in:  optional device, source, time range [from, to) on the label's start (epoch ms), limit (newest first)
 *   out: the labels, newest start first. A row written before migration 010 has no source: it came from the
 *        simulator and is reported (and filtered) as `simulator`. No failure_ts: caught before it failed.
 */
import { type FieldLabel, LABEL_SOURCES, type LabelFaultType, type LabelSource } from '../field-labels.js';
import { isoUtc } from '../pg-pool.js';
import type { TelemetryReader } from '../reader.js';

export interface LabelFilter {
  readonly device?: string;
  readonly source?: LabelSource;
  readonly from?: number;
  readonly to?: number;
  readonly limit?: number;
}

interface LabelRow {
  ts: Date | string;
  device: string;
  cluster: string | null;
  rack: string | null;
  node: string | null;
  gpu: string | null;
  fault_type: string;
  failure_ts: Date | string | null;
  xid: number | null;
  source: string | null;
  note: string | null;
  recommendation_id: string | null;
}

const ms = (v: Date | string) => new Date(v).getTime();

export async function listLabels(reader: TelemetryReader, filter: LabelFilter = {}): Promise<FieldLabel[]> {
  const params: unknown[] = [];
  const where: string[] = [];
  if (filter.device) where.push(`device = $${params.push(filter.device)}`);
  if (filter.source === 'simulator') where.push(`(source = $${params.push(filter.source)} OR source IS NULL)`);
  else if (filter.source) where.push(`source = $${params.push(filter.source)}`);
  if (filter.from !== undefined) where.push(`ts >= $${params.push(isoUtc(filter.from))}`);
  if (filter.to !== undefined) where.push(`ts < $${params.push(isoUtc(filter.to))}`);
  const limit = Math.max(1, Math.min(Math.trunc(filter.limit ?? 1_000), 10_000));
  const rows = await reader.query<LabelRow>(
    'SELECT ts, device, cluster, rack, node, gpu, fault_type, failure_ts, xid, source, note, recommendation_id ' +
      `FROM fault_labels ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ts DESC LIMIT ${limit}`,
    params,
  );
  return rows.map((r) => {
    const source = (LABEL_SOURCES as readonly string[]).includes(r.source ?? '') ? r.source : 'simulator';
    const place = { cluster: r.cluster, rack: r.rack, node: r.node, gpu: r.gpu };
    return {
      device: r.device,
      faultType: r.fault_type as LabelFaultType,
      start: ms(r.ts),
      ...(r.failure_ts != null ? { failure: ms(r.failure_ts) } : {}),
      source: source as LabelSource,
      note: r.note ?? '',
      ...Object.fromEntries(Object.entries(place).filter(([, v]) => v != null && v !== '')),
      xid: Number(r.xid ?? 0),
      ...(r.recommendation_id ? { recommendationId: r.recommendation_id } : {}),
    };
  });
}
