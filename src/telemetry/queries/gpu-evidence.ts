/**
 * Named queries over `gpu_metrics` for a forecast shard's model-free evidence (src/forecast/evidence.ts turns the
 * rows into the policy's types). Every value is a bound parameter.
 *
 * xidSamples(reader, {cluster, from, to})
 *   out: every sample in [from, to) of the cluster that logged an XID: {ts, node, gpu, xid_last}, oldest first.
 * gpuSummaries(reader, {cluster, from, to})
 *   out: per GPU of the cluster in [from, to), by node and gpu: its rack and model and the job its last sample
 *        names (null: idle), first/last sample time, first and last single-bit ECC count, last double-bit ECC
 *        count and remapped-rows-pending, mean utilisation. One scan for what a shard needs per GPU (the devices,
 *        their jobs and counters were three queries; QuestDB's cost per query dominated the shard's reads).
 * activeClusters(reader, from, to)
 *   out: the clusters that reported GPU telemetry in [from, to), sorted (the shards of a forecast run).
 */
import { isoUtc } from '../pg-pool.js';
import type { TelemetryReader } from '../reader.js';

export interface ClusterRange {
  readonly cluster: string;
  /** Epoch ms, inclusive. */
  readonly from: number;
  /** Epoch ms, exclusive. */
  readonly to: number;
}

export interface XidSample {
  readonly ts: Date;
  readonly node: string;
  readonly gpu: string;
  readonly xid_last: number;
}

export interface GpuSummary {
  readonly node: string;
  readonly gpu: string;
  readonly rack: string;
  readonly gpu_model: string;
  /** The job of the last sample (QuestDB's last() keeps a null: the GPU was idle then). */
  readonly job_id: string | null;
  readonly t0: Date;
  readonly t1: Date;
  readonly sbe0: number;
  readonly sbe1: number;
  readonly dbe: number;
  readonly rrp: number;
  readonly util: number | null;
}

export function xidSamples(reader: TelemetryReader, q: ClusterRange): Promise<XidSample[]> {
  return reader.query<XidSample>(
    'SELECT ts, node, gpu, xid_last FROM gpu_metrics ' +
      'WHERE cluster = $1 AND ts >= $2 AND ts < $3 AND xid_count > 0 AND xid_last > 0 ORDER BY ts',
    [q.cluster, isoUtc(q.from), isoUtc(q.to)],
  );
}

export function gpuSummaries(reader: TelemetryReader, q: ClusterRange): Promise<GpuSummary[]> {
  return reader.query<GpuSummary>(
    'SELECT node, gpu, last(rack) rack, last(gpu_model) gpu_model, last(job_id) job_id, min(ts) t0, max(ts) t1, ' +
      'first(ecc_sbe_volatile) sbe0, last(ecc_sbe_volatile) sbe1, last(ecc_dbe_volatile) dbe, ' +
      'last(remapped_rows_pending) rrp, avg(gpu_util) util FROM gpu_metrics ' +
      'WHERE cluster = $1 AND ts >= $2 AND ts < $3 GROUP BY node, gpu ORDER BY node, gpu',
    [q.cluster, isoUtc(q.from), isoUtc(q.to)],
  );
}

export async function activeClusters(reader: TelemetryReader, from: number, to: number): Promise<string[]> {
  const rows = await reader.query<{ cluster: string }>(
    'SELECT DISTINCT cluster FROM gpu_metrics WHERE ts >= $1 AND ts < $2 ORDER BY cluster',
    [isoUtc(from), isoUtc(to)],
  );
  return rows.map((r) => r.cluster);
}
