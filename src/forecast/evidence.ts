/**
 * The model-free evidence a forecast shard gives the policy, read from QuestDB for one cluster over
 * [to − lookbackMs, to): the jobs on its GPUs (their placement, node by node), XID events (every sample that logged one), ECC state and mean utilisation per GPU, and the
 * latest facility readings of the cluster's racks. Inputs: cluster, range. The SQL is in src/telemetry/queries/.
 */

import type { EccState, GpuUtilisation, JobPlacement, RackFacilityState, XidEvent } from '../recommend/types.js';
import { deviceId } from '../telemetry/catalogue.js';
import { latestRackReadings } from '../telemetry/queries/facility.js';
import { activeClusters, counterSummaries, jobPlacements, xidSamples } from '../telemetry/queries/gpu-evidence.js';
import type { DeviceInfo, TelemetryReader } from '../telemetry/reader.js';

export interface ShardEvidence {
  /** The jobs running on the cluster's GPUs at their last sample (gpu_metrics.job_id): the policy's placement. */
  readonly jobs: JobPlacement[];
  readonly xidEvents: XidEvent[];
  readonly ecc: EccState[];
  readonly utilisation: GpuUtilisation[];
  readonly facility: RackFacilityState[];
}

const HOUR = 3_600_000;
const JOB_LOOKBACK_MS = 5 * 60_000;
const ms = (v: unknown): number => new Date(v as string | number | Date).getTime();

export async function readEvidence(
  reader: TelemetryReader,
  q: { cluster: string; racks: readonly string[]; from: number; to: number },
): Promise<ShardEvidence> {
  const range = { cluster: q.cluster, from: q.from, to: q.to };
  const [placements, xids, counters, facility] = await Promise.all([
    // The last few minutes: a job that ended earlier no longer runs there.
    jobPlacements(reader, { cluster: q.cluster, from: Math.max(q.from, q.to - JOB_LOOKBACK_MS), to: q.to }),
    xidSamples(reader, range),
    counterSummaries(reader, range),
    latestRackReadings(reader, { racks: q.racks, from: Math.max(q.from, q.to - 10 * 60_000), to: q.to }),
  ]);
  return {
    jobs: jobsOf(q.cluster, placements),
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

/** GPUs grouped by the job they run, each job's devices sorted. */
function jobsOf(cluster: string, rows: readonly { node: string; gpu: string; job_id: string }[]): JobPlacement[] {
  const byJob = new Map<string, string[]>();
  for (const r of rows) byJob.set(r.job_id, [...(byJob.get(r.job_id) ?? []), deviceId(r.node, r.gpu)]);
  return [...byJob]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([id, devices]) => ({ id, cluster, devices: devices.sort() }));
}

/** GPUs of `cluster` that reported in [from, to) (a bounded scan, unlike listing the whole history). */
export function activeDevices(
  reader: TelemetryReader,
  q: { cluster: string; from: number; to: number },
): Promise<DeviceInfo[]> {
  return reader.listDevices(q);
}
