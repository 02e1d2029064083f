/**
 * The model-free evidence a forecast shard gives the policy, read from QuestDB for one cluster over
 * [to − lookbackMs, to): XID events (every sample that logged one), ECC state and mean utilisation per GPU, and the
 * latest facility readings of the cluster's racks. Inputs: cluster, range. The SQL is in src/telemetry/queries/.
 */

import type { EccState, GpuUtilisation, RackFacilityState, XidEvent } from '../recommend/types.js';
import { deviceId } from '../telemetry/catalogue.js';
import { latestRackReadings } from '../telemetry/queries/facility.js';
import { activeClusters, counterSummaries, xidSamples } from '../telemetry/queries/gpu-evidence.js';
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
  const range = { cluster: q.cluster, from: q.from, to: q.to };
  const [xids, counters, facility] = await Promise.all([
    xidSamples(reader, range),
    counterSummaries(reader, range),
    latestRackReadings(reader, { racks: q.racks, from: Math.max(q.from, q.to - 10 * 60_000), to: q.to }),
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

export { activeClusters };

/** GPUs of `cluster` that reported in [from, to) (a bounded scan, unlike listing the whole history). */
export function activeDevices(
  reader: TelemetryReader,
  q: { cluster: string; from: number; to: number },
): Promise<DeviceInfo[]> {
  return reader.listDevices(q);
}
