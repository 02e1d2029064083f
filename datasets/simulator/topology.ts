/**
 * The fleet's shape: clusters of racks of nodes of GPUs. Names are globally unique and readable:
 * cluster `c0`, rack `c0-r1`, node `c0-r1-n2`, gpu index `'0'..'7'`, device id `c0-r1-n2/3`.
 */
import { deviceId } from '../../src/telemetry/catalogue.js';
import { CLUSTER_MODELS, GPU_MODELS, type GpuModelSpec } from './gpu-models.js';
import { resolveOptions, type SimOptions } from './options.js';
import { Rng } from './prng.js';

export interface GpuInfo {
  /** Dense index 0..gpus-1, the order rows are emitted in. */
  readonly index: number;
  readonly device: string;
  readonly cluster: string;
  readonly rack: string;
  readonly node: string;
  readonly gpu: string;
  readonly gpuModel: string;
  readonly spec: GpuModelSpec;
  readonly rackIndex: number;
  readonly nodeIndex: number;
  /** Position in the node (airflow: later slots breathe pre-heated air). */
  readonly slot: number;
  /** Part-to-part spread of die temperature, °C. */
  readonly thermalOffsetC: number;
  /** Symbols for gpu_metrics rows (shared by every row of this GPU). */
  readonly symbols: Readonly<Record<string, string>>;
}

export interface RackInfo {
  readonly index: number;
  readonly name: string;
  readonly cluster: string;
  readonly clusterIndex: number;
  /** Placement in the hall: some racks sit in warmer aisles, °C. */
  readonly inletOffsetC: number;
  readonly gpuIndices: readonly number[];
  /** Symbols for facility_metrics rows. */
  readonly symbols: Readonly<Record<string, string>>;
}

export interface NodeInfo {
  readonly index: number;
  readonly name: string;
  readonly rackIndex: number;
  readonly gpuIndices: readonly number[];
}

export interface Topology {
  readonly clusters: readonly string[];
  readonly racks: readonly RackInfo[];
  readonly nodes: readonly NodeInfo[];
  readonly gpus: readonly GpuInfo[];
}

/** Facility sensors live in one site; each cluster is a hall (`room`). */
export const SITE = 'dc1';

export function fleetTopology(opts: SimOptions): Topology {
  const o = resolveOptions(opts);
  const rng = new Rng(o.seed, 'topology');
  const gpus: GpuInfo[] = [];
  const racks: RackInfo[] = [];
  const nodes: NodeInfo[] = [];
  const clusters: string[] = [];
  const nodeCount = Math.ceil(o.gpus / o.gpusPerNode);
  const rackCount = Math.ceil(nodeCount / o.nodesPerRack);
  for (let r = 0; r < rackCount; r++) {
    const clusterIndex = Math.floor(r / o.racksPerCluster);
    const cluster = `c${clusterIndex}`;
    if (clusters.length <= clusterIndex) clusters.push(cluster);
    const rackName = `${cluster}-r${r % o.racksPerCluster}`;
    const model = GPU_MODELS[CLUSTER_MODELS[clusterIndex % CLUSTER_MODELS.length]];
    const gpuIndices: number[] = [];
    for (let n = 0; n < o.nodesPerRack; n++) {
      const nodeIndex = r * o.nodesPerRack + n;
      if (nodeIndex >= nodeCount) break;
      const nodeName = `${rackName}-n${n}`;
      const nodeGpus: number[] = [];
      for (let g = 0; g < o.gpusPerNode; g++) {
        const index = nodeIndex * o.gpusPerNode + g;
        if (index >= o.gpus) break;
        const gpu = String(g);
        gpus.push({
          index,
          device: deviceId(nodeName, gpu),
          cluster,
          rack: rackName,
          node: nodeName,
          gpu,
          gpuModel: model.name,
          spec: model,
          rackIndex: r,
          nodeIndex,
          slot: g,
          thermalOffsetC: rng.normal() * 1.5 + (g % 4) * 0.6,
          symbols: Object.freeze({ cluster, rack: rackName, node: nodeName, gpu, gpu_model: model.name }),
        });
        nodeGpus.push(index);
        gpuIndices.push(index);
      }
      nodes.push({ index: nodeIndex, name: nodeName, rackIndex: r, gpuIndices: nodeGpus });
    }
    racks.push({
      index: r,
      name: rackName,
      cluster,
      clusterIndex,
      inletOffsetC: rng.uniform(-1.2, 1.2),
      gpuIndices,
      symbols: Object.freeze({ site: SITE, room: cluster, rack: rackName, sensor: `${rackName}-cdu` }),
    });
  }
  return { clusters, racks, nodes, gpus };
}
