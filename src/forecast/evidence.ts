/**
 * The model-free evidence a forecast shard gives the policy, read from QuestDB for one cluster over
 * [to − lookbackMs, to): XID events (every sample that logged one), ECC state and mean utilisation per GPU, and the
 * latest facility readings of the cluster's racks. Inputs: cluster, range. Values travel as bound parameters.
 */

import type { EccState, GpuUtilisation, RackFacilityState, XidEvent } from '../recommend/types.js';
import { deviceId } from '../telemetry/catalogue.js';
import { isoUtc } from '../telemetry/pg-pool.js';
import type { DeviceInfo, TelemetryReader } from '../telemetry/reader.js';

export interface ShardEvidence {
  readonly xidEvents: XidEvent[];
  readonly ecc: EccState[];
  readonly utilisation: GpuUtilisation[];
  readonly facility: RackFacilityState[];
}

const HOUR = 3_600_000;
const ms = (v: unknown): number => new Date(v as string | number | Date).getTime();

export async function readEvidence(
  reader: TelemetryReader,
  q: { cluster: string; racks: readonly string[]; from: number; to: number },
): Promise<ShardEvidence> {
  const range = [q.cluster, isoUtc(q.from), isoUtc(q.to)];
  const [xids, counters, facility] = await Promise.all([
    reader.query<{ ts: Date; node: string; gpu: string; xid_last: number }>(
      'SELECT ts, node, gpu, xid_last FROM gpu_metrics ' +
        'WHERE cluster = $1 AND ts >= $2 AND ts < $3 AND xid_count > 0 AND xid_last > 0 ORDER BY ts',
      range,
    ),
    reader.query<{
      node: string;
      gpu: string;
      t0: Date;
      t1: Date;
      sbe0: number;
      sbe1: number;
      dbe: number;
      rrp: number;
      util: number;
    }>(
      'SELECT node, gpu, min(ts) t0, max(ts) t1, first(ecc_sbe_volatile) sbe0, last(ecc_sbe_volatile) sbe1, ' +
        'last(ecc_dbe_volatile) dbe, last(remapped_rows_pending) rrp, avg(gpu_util) util FROM gpu_metrics ' +
        'WHERE cluster = $1 AND ts >= $2 AND ts < $3 GROUP BY node, gpu',
      range,
    ),
    q.racks.length === 0
      ? Promise.resolve([])
      : reader.query<{ rack: string; ts: Date; inlet: number | null; coolant: number | null }>(
          `SELECT rack, max(ts) ts, last(inlet_temp_c) inlet, last(coolant_temp_c) coolant FROM facility_metrics ` +
            `WHERE ts >= $1 AND ts < $2 AND rack IN (${q.racks.map((_, i) => `$${i + 3}`).join(', ')}) GROUP BY rack`,
          [isoUtc(Math.max(q.from, q.to - 10 * 60_000)), isoUtc(q.to), ...q.racks],
        ),
  ]);
  return {
    xidEvents: xids.map((r) => ({ device: deviceId(r.node, r.gpu), code: Number(r.xid_last), ts: ms(r.ts) })),
    ecc: counters.map((r) => {
      const hours = Math.max((ms(r.t1) - ms(r.t0)) / HOUR, 1 / 60);
      // A counter reset (driver reload) makes last < first: count nothing rather than a negative rate.
      const sbe = Math.max(0, Number(r.sbe1 ?? 0) - Number(r.sbe0 ?? 0));
      return {
        device: deviceId(r.node, r.gpu),
        ts: ms(r.t1),
        sbeRatePerHour: Math.round(sbe / hours),
        dbeCount: Number(r.dbe ?? 0),
        remappedRowsPending: Number(r.rrp ?? 0),
        rowRemapFailure: false,
      };
    }),
    utilisation: counters
      .filter((r) => r.util !== null && Number.isFinite(Number(r.util)))
      .map((r) => ({ device: deviceId(r.node, r.gpu), ts: ms(r.t1), gpuUtilPct: Number(r.util) })),
    facility: facility.map((r) => ({
      rack: r.rack,
      ts: ms(r.ts),
      ...(r.inlet != null ? { inletTempC: Number(r.inlet) } : {}),
      ...(r.coolant != null ? { coolantTempC: Number(r.coolant) } : {}),
    })),
  };
}

/** Clusters that reported GPU telemetry in [from, to): the shards of a forecast run. */
export async function activeClusters(reader: TelemetryReader, from: number, to: number): Promise<string[]> {
  const rows = await reader.query<{ cluster: string }>(
    'SELECT DISTINCT cluster FROM gpu_metrics WHERE ts >= $1 AND ts < $2 ORDER BY cluster',
    [isoUtc(from), isoUtc(to)],
  );
  return rows.map((r) => r.cluster);
}

/** GPUs of `cluster` that reported in [from, to) (a bounded scan, unlike listing the whole history). */
export function activeDevices(
  reader: TelemetryReader,
  q: { cluster: string; from: number; to: number },
): Promise<DeviceInfo[]> {
  return reader.listDevices(q);
}
