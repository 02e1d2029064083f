/**
 * Named queries behind the GPU health API (src/health): a few grouped queries for the whole fleet, never one per
 * GPU. All run in parallel; values are bound parameters.
 *
 * gpuHealthRows(reader, scope)
 *   in:  scope {inventoryFrom, recentFrom, at (epoch ms), cluster?, rack?, node?, gpu?}
 *   out: {samples, windows, xids, anomalies, faults}:
 *        samples   newest gpu_metrics row per (node, gpu) in [inventoryFrom, at]: identity, ts, DBE, rows pending
 *                  (`LATEST ON ts PARTITION BY node, gpu`): the fleet's inventory and who still reports;
 *        windows   per (node, gpu) over [recentFrom, at]: min and max of the SBE counter;
 *        xids      every gpu_metrics row in [recentFrom, at] with xid_count > 0: (ts, node, gpu, xid_last);
 *        anomalies newest anomaly_scores row per device in [recentFrom, at];
 *        faults    newest fault_predictions row per device in [recentFrom, at].
 *   anomaly_scores and fault_predictions carry cluster and rack but no node: a node filter is applied by the
 *   caller when it joins them to the samples.
 */
import { isoUtc } from '../pg-pool.js';
import type { TelemetryReader } from '../reader.js';

export interface HealthScope {
  readonly inventoryFrom: number;
  readonly recentFrom: number;
  readonly at: number;
  readonly cluster?: string;
  readonly rack?: string;
  readonly node?: string;
  readonly gpu?: string;
}

export interface SampleRow {
  ts: number;
  cluster: string;
  rack: string | null;
  node: string;
  gpu: string;
  gpu_model: string | null;
  ecc_dbe_volatile: number | null;
  remapped_rows_pending: number | null;
}
export interface WindowRow {
  node: string;
  gpu: string;
  sbe_min: number | null;
  sbe_max: number | null;
}
export interface XidRow {
  ts: number;
  node: string;
  gpu: string;
  xid_last: number | null;
}
export interface AnomalyRow {
  ts: number;
  device: string;
  model: string;
  model_version: string;
  score: number;
  threshold: number | null;
  top_features: string | null;
}
export interface FaultRow {
  ts: number;
  device: string;
  model: string;
  model_version: string;
  probability: number;
  threshold: number | null;
  horizon_ms: number | null;
  ttf_ms: number | null;
}

export interface HealthRows {
  readonly samples: SampleRow[];
  readonly windows: WindowRow[];
  readonly xids: XidRow[];
  readonly anomalies: AnomalyRow[];
  readonly faults: FaultRow[];
}

/** Bounds the XID rows one answer reads (a storm on many GPUs); newest first, so the latest are kept. */
const MAX_XID_ROWS = 50_000;

/** `ts >= $1 AND ts <= $2` plus the scope's equality filters on the columns the table has. */
function where(from: number, s: HealthScope, columns: readonly ('cluster' | 'rack' | 'node' | 'gpu' | 'device')[]) {
  const params: unknown[] = [isoUtc(from), isoUtc(s.at)];
  const clauses = ['ts >= $1', 'ts <= $2'];
  const device = s.node !== undefined && s.gpu !== undefined ? `${s.node}/${s.gpu}` : undefined;
  const values = { cluster: s.cluster, rack: s.rack, node: s.node, gpu: s.gpu, device };
  for (const c of columns) {
    const v = values[c];
    if (v === undefined) continue;
    params.push(v);
    clauses.push(`${c} = $${params.length}`);
  }
  return { sql: clauses.join(' AND '), params };
}

export async function gpuHealthRows(reader: TelemetryReader, s: HealthScope): Promise<HealthRows> {
  const gpuCols = ['cluster', 'rack', 'node', 'gpu'] as const;
  const scoreCols = ['cluster', 'rack', 'device'] as const;
  const inv = where(s.inventoryFrom, s, gpuCols);
  const recent = where(s.recentFrom, s, gpuCols);
  const scores = where(s.recentFrom, s, scoreCols);
  const [samples, windows, xids, anomalies, faults] = await Promise.all([
    reader.query<SampleRow>(
      `SELECT ts, cluster, rack, node, gpu, gpu_model, ecc_dbe_volatile, remapped_rows_pending
       FROM gpu_metrics WHERE ${inv.sql} LATEST ON ts PARTITION BY node, gpu`,
      inv.params,
    ),
    reader.query<WindowRow>(
      `SELECT node, gpu, min(ecc_sbe_volatile) sbe_min, max(ecc_sbe_volatile) sbe_max
       FROM gpu_metrics WHERE ${recent.sql} GROUP BY node, gpu`,
      recent.params,
    ),
    reader.query<XidRow>(
      `SELECT ts, node, gpu, xid_last FROM gpu_metrics WHERE ${recent.sql} AND xid_count > 0
       ORDER BY ts DESC LIMIT ${MAX_XID_ROWS}`,
      recent.params,
    ),
    reader.query<AnomalyRow>(
      `SELECT ts, device, model, model_version, score, threshold, top_features
       FROM anomaly_scores WHERE ${scores.sql} LATEST ON ts PARTITION BY device`,
      scores.params,
    ),
    reader.query<FaultRow>(
      `SELECT ts, device, model, model_version, probability, threshold, horizon_ms, ttf_ms
       FROM fault_predictions WHERE ${scores.sql} LATEST ON ts PARTITION BY device`,
      scores.params,
    ),
  ]);
  return { samples, windows, xids, anomalies, faults };
}
