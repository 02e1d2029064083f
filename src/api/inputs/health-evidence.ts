/**
 * Gathers each GPU's health evidence (src/health/gpu-state.ts) from QuestDB's grouped queries
 * (src/telemetry/queries/gpu-health-evidence.ts) and the recommendation store (Redis), then joins them per device in
 * one pass. The fleet is the set of GPUs that reported within the inventory window before `at`.
 */
import { type GpuEvidence, type GpuHealth, gpuHealth, type RecommendationEvidence } from '../../health/gpu-state.js';
import { DEFAULT_HEALTH_POLICY, type HealthPolicy } from '../../health/health-policy.js';
import type { StoredRecommendation } from '../../queue/recommendation-store.js';
import type { FeatureContribution } from '../../recommend/types.js';
import { deviceId } from '../../telemetry/catalogue.js';
import { gpuHealthRows } from '../../telemetry/queries/gpu-health-evidence.js';
import type { TelemetryReader } from '../../telemetry/reader.js';

export interface HealthFilter {
  readonly cluster?: string;
  readonly rack?: string;
  readonly node?: string;
  readonly gpu?: string;
}

/** What the store must answer: its newest records (open and closed). */
export interface RecommendationSource {
  list(filter: { limit: number }, scan: number): Promise<StoredRecommendation[]>;
}

/** Newest records read from the store per answer; older ones are closed long ago or expire. */
const RECOMMENDATION_SCAN = 5_000;
const RELEVANT = new Set(['proposed', 'approved', 'queued']);

export async function fleetEvidence(
  reader: TelemetryReader,
  store: RecommendationSource,
  at: number,
  filter: HealthFilter = {},
  policy: HealthPolicy = DEFAULT_HEALTH_POLICY,
): Promise<GpuEvidence[]> {
  const recentFrom = at - Math.max(policy.xidLookbackMs, policy.maxScoreAgeMs);
  const [rows, records] = await Promise.all([
    gpuHealthRows(reader, { ...filter, at, recentFrom, inventoryFrom: at - policy.inventoryMs }),
    store.list({ limit: RECOMMENDATION_SCAN }, RECOMMENDATION_SCAN),
  ]);
  const windows = new Map(rows.windows.map((w) => [deviceId(w.node, w.gpu), w]));
  const anomalies = new Map(rows.anomalies.map((a) => [a.device, a]));
  const faults = new Map(rows.faults.map((f) => [f.device, f]));
  const xids = new Map<string, { code: number; ts: number }[]>();
  for (const x of rows.xids) {
    const d = deviceId(x.node, x.gpu);
    const list = xids.get(d) ?? [];
    list.push({ code: Number(x.xid_last ?? 0), ts: x.ts });
    xids.set(d, list);
  }
  const byNode = new Map<string, RecommendationEvidence[]>();
  const byDevice = new Map<string, RecommendationEvidence[]>();
  const push = (m: Map<string, RecommendationEvidence[]>, k: string, r: RecommendationEvidence) =>
    m.set(k, [...(m.get(k) ?? []), r]);
  for (const rec of records) {
    const isDrain = rec.action.type === 'drain_node' && rec.status === 'executed';
    if (!RELEVANT.has(rec.status) && !isDrain) continue;
    const r = recommendationEvidence(rec);
    const node = r.targetKind === 'node' ? (r.targetNode ?? r.targetId) : undefined;
    if (node) push(byNode, node, r);
    const devices = new Set(r.devices);
    if (r.targetKind === 'gpu') devices.add(r.targetId);
    for (const d of devices) if (!node || !d.startsWith(`${node}/`)) push(byDevice, d, r);
  }

  return rows.samples.map((s) => {
    const device = deviceId(s.node, s.gpu);
    const a = anomalies.get(device);
    const f = faults.get(device);
    const w = windows.get(device);
    return {
      identity: {
        device,
        cluster: s.cluster,
        rack: s.rack ?? '',
        node: s.node,
        gpu: s.gpu,
        gpuModel: s.gpu_model ?? '',
      },
      lastSampleTs: s.ts,
      anomaly: a && {
        ts: a.ts,
        score: Number(a.score),
        threshold: Number(a.threshold ?? Number.NaN),
        model: a.model,
        version: a.model_version,
        topFeatures: parseFeatures(a.top_features),
      },
      fault: f && {
        ts: f.ts,
        probability: Number(f.probability),
        ...(f.threshold == null || !Number.isFinite(Number(f.threshold)) ? {} : { threshold: Number(f.threshold) }),
        horizonMs: Number(f.horizon_ms ?? 0),
        ...(f.ttf_ms == null || !Number.isFinite(Number(f.ttf_ms)) ? {} : { ttfMs: Number(f.ttf_ms) }),
        model: f.model,
        version: f.model_version,
      },
      xids: xids.get(device) ?? [],
      ecc: {
        ts: s.ts,
        dbeVolatile: Number(s.ecc_dbe_volatile ?? 0),
        remappedRowsPending: Number(s.remapped_rows_pending ?? 0),
        sbeDelta: w ? Math.max(0, Number(w.sbe_max ?? 0) - Number(w.sbe_min ?? 0)) : 0,
        // A rate over the whole lookback, not the span of the samples seen: a lone sample cannot make a storm.
        windowMs: at - recentFrom,
      },
      recommendations: [...(byNode.get(s.node) ?? []), ...(byDevice.get(device) ?? [])],
    };
  });
}

export async function fleetHealth(
  reader: TelemetryReader,
  store: RecommendationSource,
  at: number,
  filter: HealthFilter = {},
  policy: HealthPolicy = DEFAULT_HEALTH_POLICY,
): Promise<GpuHealth[]> {
  const evidence = await fleetEvidence(reader, store, at, filter, policy);
  return evidence.map((e) => gpuHealth(e, at, policy));
}

function recommendationEvidence(r: StoredRecommendation): RecommendationEvidence {
  const a = r.action;
  return {
    id: r.id,
    type: a.type,
    status: r.status,
    severity: a.severity,
    reason: a.reason,
    targetKind: a.target.kind,
    targetId: a.target.id,
    ...(a.target.node ? { targetNode: a.target.node } : {}),
    devices: a.evidence?.devices ?? [],
    dryRun: a.dryRun,
    updatedAt: r.updatedAt,
    ...(a.evidence?.kind ? { evidenceKind: a.evidence.kind } : {}),
    ...(a.evidence?.incidents ? { incidents: a.evidence.incidents.length } : {}),
  };
}

function parseFeatures(json: string | null): FeatureContribution[] {
  if (!json) return [];
  try {
    const v: unknown = JSON.parse(json);
    if (!Array.isArray(v)) return [];
    return v
      .filter((f): f is FeatureContribution => typeof f?.name === 'string' && typeof f?.contribution === 'number')
      .map((f) => ({ name: f.name, contribution: f.contribution }));
  } catch {
    return [];
  }
}
