/**
 * Lookups over the fleet topology (cluster → rack → node → GPUs, and jobs on GPUs) that every rule and rail
 * needs: where a device sits, which jobs run on it, how many nodes a rack or cluster has.
 */
import type { ActionTarget, FleetTopology, JobPlacement } from './types.js';

export interface DeviceLocation {
  readonly device: string;
  readonly cluster: string;
  readonly rack: string;
  readonly node: string;
  readonly gpu: string;
}

export interface NodeLocation {
  readonly node: string;
  readonly cluster: string;
  readonly rack: string;
  readonly devices: readonly string[];
}

export interface TopologyIndex {
  device(device: string): DeviceLocation | undefined;
  node(node: string): NodeLocation | undefined;
  /** Jobs running on a device, sorted by id. */
  jobsOnDevice(device: string): readonly JobPlacement[];
  /** Jobs with at least one device on a node, sorted by id. */
  jobsOnNode(node: string): readonly JobPlacement[];
  job(id: string): JobPlacement | undefined;
  /** Devices of a rack, sorted. */
  rackDevices(rack: string): readonly string[];
  rackNodeCount(rack: string): number;
  clusterNodeCount(cluster: string): number;
  rackCluster(rack: string): string | undefined;
}

const byId = <T extends { id: string }>(a: T, b: T): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function indexTopology(topology: FleetTopology): TopologyIndex {
  const devices = new Map<string, DeviceLocation>();
  const nodes = new Map<string, NodeLocation>();
  const rackDevices = new Map<string, string[]>();
  const rackNodes = new Map<string, number>();
  const clusterNodes = new Map<string, number>();
  const rackCluster = new Map<string, string>();
  for (const c of topology.clusters) {
    for (const r of c.racks) {
      rackCluster.set(r.id, c.id);
      for (const n of r.nodes) {
        const ids = n.gpus.map((g) => `${n.id}/${g}`);
        nodes.set(n.id, { node: n.id, cluster: c.id, rack: r.id, devices: ids });
        n.gpus.forEach((g, i) => {
          devices.set(ids[i], { device: ids[i], cluster: c.id, rack: r.id, node: n.id, gpu: g });
        });
        rackDevices.set(r.id, [...(rackDevices.get(r.id) ?? []), ...ids]);
        rackNodes.set(r.id, (rackNodes.get(r.id) ?? 0) + 1);
        clusterNodes.set(c.id, (clusterNodes.get(c.id) ?? 0) + 1);
      }
    }
  }
  const jobs = new Map(topology.jobs.map((j) => [j.id, j]));
  const jobsByDevice = new Map<string, JobPlacement[]>();
  const jobsByNode = new Map<string, JobPlacement[]>();
  for (const j of [...topology.jobs].sort(byId)) {
    const seenNodes = new Set<string>();
    for (const d of j.devices) {
      jobsByDevice.set(d, [...(jobsByDevice.get(d) ?? []), j]);
      const node = devices.get(d)?.node;
      if (node !== undefined && !seenNodes.has(node)) {
        seenNodes.add(node);
        jobsByNode.set(node, [...(jobsByNode.get(node) ?? []), j]);
      }
    }
  }
  for (const list of rackDevices.values()) list.sort();
  return {
    device: (d) => devices.get(d),
    node: (n) => nodes.get(n),
    jobsOnDevice: (d) => jobsByDevice.get(d) ?? [],
    jobsOnNode: (n) => jobsByNode.get(n) ?? [],
    job: (id) => jobs.get(id),
    rackDevices: (r) => rackDevices.get(r) ?? [],
    rackNodeCount: (r) => rackNodes.get(r) ?? 0,
    clusterNodeCount: (c) => clusterNodes.get(c) ?? 0,
    rackCluster: (r) => rackCluster.get(r),
  };
}

export function gpuTarget(loc: DeviceLocation): ActionTarget {
  return { kind: 'gpu', id: loc.device, cluster: loc.cluster, rack: loc.rack, node: loc.node };
}

export function nodeTarget(loc: { node: string; cluster: string; rack: string }): ActionTarget {
  return { kind: 'node', id: loc.node, cluster: loc.cluster, rack: loc.rack, node: loc.node };
}

/** A job target; its rack is the rack of `via` (the device that triggered the action) or the job's main rack. */
export function jobTarget(job: JobPlacement, topo: TopologyIndex, via?: string): ActionTarget {
  const viaRack = via === undefined ? undefined : topo.device(via)?.rack;
  return { kind: 'job', id: job.id, cluster: job.cluster, rack: viaRack ?? mainRack(job, topo) };
}

function mainRack(job: JobPlacement, topo: TopologyIndex): string {
  const counts = new Map<string, number>();
  for (const d of job.devices) {
    const rack = topo.device(d)?.rack;
    if (rack !== undefined) counts.set(rack, (counts.get(rack) ?? 0) + 1);
  }
  let best = '';
  let bestCount = 0;
  for (const [rack, n] of [...counts].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (n > bestCount) [best, bestCount] = [rack, n];
  }
  return best;
}

/** Build a topology from a flat device list (what the telemetry reader's `listDevices()` returns). */
export function topologyFromDevices(
  list: readonly { cluster: string; rack: string; node: string; gpu: string }[],
  jobs: readonly JobPlacement[] = [],
): FleetTopology {
  const tree = new Map<string, Map<string, Map<string, string[]>>>();
  for (const d of list) {
    const racks = tree.get(d.cluster) ?? new Map<string, Map<string, string[]>>();
    tree.set(d.cluster, racks);
    const nodes = racks.get(d.rack) ?? new Map<string, string[]>();
    racks.set(d.rack, nodes);
    nodes.set(d.node, [...(nodes.get(d.node) ?? []), d.gpu]);
  }
  const sortedKeys = <V>(m: Map<string, V>): [string, V][] => [...m].sort(([a], [b]) => (a < b ? -1 : 1));
  return {
    clusters: sortedKeys(tree).map(([id, racks]) => ({
      id,
      racks: sortedKeys(racks).map(([rid, nodes]) => ({
        id: rid,
        nodes: sortedKeys(nodes).map(([nid, gpus]) => ({ id: nid, gpus: [...gpus].sort() })),
      })),
    })),
    jobs,
  };
}
