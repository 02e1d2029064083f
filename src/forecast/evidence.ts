/**
 * The model-free evidence a forecast shard gives the policy, read from QuestDB for one cluster over
 * [to − lookbackMs, to): the GPUs that reported (with rack and model: the shard's devices), the jobs on them (their
 * placement, node by node), XID events (every sample that logged one), ECC state and mean utilisation per GPU, and
 * the latest facility readings of the cluster's racks. Three queries, the first two at once (the SQL is in
 * src/telemetry/queries/).
 */
import type { EccState, GpuUtilisation, JobPlacement, RackFacilityState, XidEvent } from '../recommend/types.js';
import { deviceId } from '../telemetry/catalogue.js';
import { latestRackReadings } from '../telemetry/queries/facility.js';
import { activeClusters, type GpuSummary, gpuSummaries, xidSamples } from '../telemetry/queries/gpu-evidence.js';
import type { DeviceInfo, TelemetryReader } from '../telemetry/reader.js';

export interface ShardEvidence {
  /** Every GPU of the cluster that reported in the range, by node and gpu, in the rack of its last sample. */
  readonly devices: DeviceInfo[];
  /** The jobs running on the cluster's GPUs at their last sample (gpu_metrics.job_id): the policy's placement. */
  readonly jobs: JobPlacement[];
  readonly xidEvents: XidEvent[];
  readonly ecc: EccState[];
  readonly utilisation: GpuUtilisation[];
  readonly facility: RackFacilityState[];
}

const HOUR = 3_600_000;
/** A GPU places its job only when its last sample is this recent: a job that ended earlier no longer runs there. */
const JOB_LOOKBACK_MS = 5 * 60_000;
const ms = (v: unknown): number => new Date(v as string | number | Date).getTime();

export async function readEvidence(
  reader: TelemetryReader,
  q: { cluster: string; from: number; to: number },
): Promise<ShardEvidence> {
  const range = { cluster: q.cluster, from: q.from, to: q.to };
  const [summaries, xids] = await Promise.all([gpuSummaries(reader, range), xidSamples(reader, range)]);
  const devices = summaries.map((r) => ({
    device: deviceId(r.node, r.gpu),
    cluster: q.cluster,
    rack: r.rack,
    node: r.node,
    gpu: r.gpu,
    gpuModel: r.gpu_model,
  }));
  const racks = [...new Set(devices.map((d) => d.rack))];
  const facility = await latestRackReadings(reader, {
    racks,
    from: Math.max(q.from, q.to - 10 * 60_000),
    to: q.to,
  });
  return {
    devices,
    jobs: jobsOf(q.cluster, placed(summaries, q.to - JOB_LOOKBACK_MS)),
    xidEvents: xids.map((r) => ({ device: deviceId(r.node, r.gpu), code: Number(r.xid_last), ts: ms(r.ts) })),
    ecc: summaries.map((r) => {
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
    utilisation: summaries
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

/** The GPUs whose last sample is at or after `since` and names a job. */
function placed(rows: readonly GpuSummary[], since: number): { node: string; gpu: string; job_id: string }[] {
  return rows.filter((r): r is GpuSummary & { job_id: string } => Boolean(r.job_id) && ms(r.t1) >= since);
}

/** GPUs grouped by the job they run, each job's devices sorted. */
function jobsOf(cluster: string, rows: readonly { node: string; gpu: string; job_id: string }[]): JobPlacement[] {
  const byJob = new Map<string, string[]>();
  for (const r of rows) byJob.set(r.job_id, [...(byJob.get(r.job_id) ?? []), deviceId(r.node, r.gpu)]);
  return [...byJob]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([id, devices]) => ({ id, cluster, devices: devices.sort() }));
}
