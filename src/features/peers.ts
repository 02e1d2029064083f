/**
 * Peer features compare a GPU with the other GPUs running the same job at the same sample:
 *   - `below-peers:<field>`  how far the GPU's value is BELOW the median of its job's GPUs: max(0, median − value)
 *   - `above-peers:<field>`  how far it is ABOVE that median: max(0, value − median)
 * Both are 0 when the GPU runs no job or is its job's only GPU. The median includes the GPU itself.
 *
 * Why: some faults only show against the job's other GPUs. A straggler's utilisation looks like a lighter job on its
 * own; beside peers running the same code it lags by tens of points (below-peers:gpu_util). A leaking GPU's memory
 * climbs while its peers hold the job's footprint (above-peers:fb_used_mib); a GPU with failing cooling runs hotter
 * than peers drawing the same power (above-peers:gpu_temp_c). Why one-sided and the median: a plain deviation from
 * the peers' mean would mirror the fault onto the healthy peers (each reads "my leaking peer makes me look low"), so
 * they would alarm too; the median ignores one outlier among three or more GPUs, and the side picks the faulty GPU
 * of a two-GPU job.
 *
 * A peer column needs the whole job and each GPU's job id per sample, so it is computed where a fleet is read (the
 * QuestDB reader, the simulator), not in `deriveSeries`; for the models it is then an ordinary input column. A
 * client sending inline windows sends that column itself.
 */
import type { Series } from './windows.js';

export type PeerSide = 'below-peers' | 'above-peers';
const SIDES: readonly PeerSide[] = ['below-peers', 'above-peers'];

/** The job id column read alongside peer fields (gpu_metrics `job_id`). */
export const JOB_FIELD = 'job_id';

function parsePeer(name: string): { side: PeerSide; base: string } | undefined {
  const i = name.indexOf(':');
  const side = name.slice(0, i) as PeerSide;
  return i > 0 && SIDES.includes(side) ? { side, base: name.slice(i + 1) } : undefined;
}

export const isPeerField = (name: string): boolean => parsePeer(name) !== undefined;

/** `below-peers:gpu_util` → `gpu_util`; a plain field is its own base. */
export const peerBase = (name: string): string => parsePeer(name)?.base ?? name;

/** The plain fields a fleet read needs for `fields`: peer fields replaced by their base field, without duplicates. */
export function baseFields(fields: readonly string[]): string[] {
  return [...new Set(fields.map(peerBase))];
}

function median(values: number[]): number {
  values.sort((a, b) => a - b);
  const m = values.length >> 1;
  return values.length % 2 === 1 ? values[m] : (values[m - 1] + values[m]) / 2;
}

/**
 * Per-device series with exactly `fields` as columns, computing the peer ones.
 * `fleet`: series that hold (at least) `baseFields(fields)`, all on one time grid (same row count).
 * `jobs`: per device, a job code per row (any integer identifying the job within this read; negative = no job).
 * Devices missing from `jobs` run no job.
 */
export function withPeerFields(
  fleet: ReadonlyMap<string, Series>,
  jobs: ReadonlyMap<string, ArrayLike<number>>,
  fields: readonly string[],
): Map<string, Series> {
  const parsed = fields.map(parsePeer);
  const devices = [...fleet].map(([device, s]) => {
    const column = (field: string): number => {
      const i = s.features.indexOf(field);
      if (i < 0) throw new Error(`peer features: series of ${device} lacks field ${field}`);
      return i;
    };
    return {
      device,
      s,
      width: s.features.length,
      // Column in the source of each output field: the field itself, or a peer field's base.
      src: fields.map((f) => column(peerBase(f))),
      job: jobs.get(device),
      out: new Float64Array(s.ts.length * fields.length),
    };
  });
  const rows = devices[0]?.s.ts.length ?? 0;
  const peerColumns = fields.flatMap((_, c) => (parsed[c] ? [c] : []));
  // Per row: the devices of each job, then each peer column's median over them.
  const members = new Map<number, (typeof devices)[number][]>();
  for (let t = 0; t < rows; t++) {
    members.clear();
    for (const d of devices) {
      const code = d.job?.[t] ?? -1;
      if (code < 0) continue;
      const list = members.get(code);
      if (list) list.push(d);
      else members.set(code, [d]);
    }
    for (const d of devices)
      for (let c = 0; c < fields.length; c++)
        d.out[t * fields.length + c] = parsed[c] ? 0 : d.s.values[t * d.width + d.src[c]];
    for (const group of members.values()) {
      if (group.length < 2) continue; // alone in its job: 0
      for (const c of peerColumns) {
        const m = median(group.map((d) => d.s.values[t * d.width + d.src[c]]));
        const below = parsed[c]!.side === 'below-peers';
        for (const d of group) {
          const v = d.s.values[t * d.width + d.src[c]];
          d.out[t * fields.length + c] = Math.max(0, below ? m - v : v - m);
        }
      }
    }
  }
  // One column list for all devices: deriveSeries plans its columns once per list (by identity), not per device.
  const columns = [...fields];
  return new Map(devices.map((d) => [d.device, { ts: d.s.ts, values: d.out, features: columns }]));
}
