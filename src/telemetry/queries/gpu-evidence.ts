/**
 * Named queries over `gpu_metrics` for a forecast shard's model-free evidence (src/forecast/evidence.ts turns the
 * rows into the policy's types). Every value is a bound parameter.
 *
 * xidSamples(reader, {cluster, from, to})
 *   out: every sample in [from, to) of the cluster that logged an XID: {ts, node, gpu, xid_last}, oldest first.
 * counterSummaries(reader, {cluster, from, to})
 *   out: per GPU of the cluster in [from, to): first/last sample time, first and last single-bit ECC count, last
 *        double-bit ECC count and remapped-rows-pending, mean utilisation.
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

export interface CounterSummary {
  readonly node: string;
  readonly gpu: string;
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

export function counterSummaries(reader: TelemetryReader, q: ClusterRange): Promise<CounterSummary[]> {
  return reader.query<CounterSummary>(
    'SELECT node, gpu, min(ts) t0, max(ts) t1, first(ecc_sbe_volatile) sbe0, last(ecc_sbe_volatile) sbe1, ' +
      'last(ecc_dbe_volatile) dbe, last(remapped_rows_pending) rrp, avg(gpu_util) util FROM gpu_metrics ' +
      'WHERE cluster = $1 AND ts >= $2 AND ts < $3 GROUP BY node, gpu',
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

/**
 * jobPlacements(reader, {cluster, from, to})
 *   out: the job each GPU of the cluster ran at its last sample in [from, to): {node, gpu, job_id}; GPUs whose last
 *        sample names no job (idle) are left out.
 */
export async function jobPlacements(
  reader: TelemetryReader,
  q: ClusterRange,
): Promise<{ node: string; gpu: string; job_id: string }[]> {
  const rows = await reader.query<{ node: string; gpu: string; job_id: string | null }>(
    'SELECT node, gpu, job_id FROM gpu_metrics WHERE cluster = $1 AND ts >= $2 AND ts < $3 ' +
      'LATEST ON ts PARTITION BY node, gpu',
    [q.cluster, isoUtc(q.from), isoUtc(q.to)],
  );
  return rows.filter((r): r is { node: string; gpu: string; job_id: string } => Boolean(r.job_id));
}
