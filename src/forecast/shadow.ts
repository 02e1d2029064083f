/**
 * Shadow scoring: while a model has a shadow (a retrained candidate with too little labelled evidence to be promoted,
 * models/<name>/SHADOW), every forecast shard runs it on the same devices and time as the champion and writes both
 * outputs side by side to `shadow_scores` (migration 013). Nothing here reaches the policy, health or alarms: the
 * rows are evidence for the shadow comparison alone (training/evaluate/shadow-comparison.ts).
 *
 * The shadow gets its own inputs (its scaler, features and window from its model.json, through the same
 * `batchOf`), so a candidate trained with a new scaler is judged on what it would really see.
 */
import type { Series } from '../features/windows.js';
import type { InferenceResult, ModelLease } from '../inference/inference-types.js';
import { anomalyOutputs, exceeds, faultOutputs, primaryOutput } from '../inference/model-outputs.js';
import type { TableRow } from '../telemetry/writer.js';
import type { StageClock } from './timings.js';

export interface ShadowBatch {
  readonly devices: readonly string[];
  readonly input: Float32Array;
  readonly endTs: readonly number[];
}

export interface ShadowDeps {
  readonly shadowOf: (name: string) => Promise<{ version: string } | undefined>;
  readonly withModel: <T>(
    name: string,
    opts: { version?: string },
    fn: (lease: ModelLease) => Promise<T>,
  ) => Promise<T>;
  /** The shard's series for a model's inputs (shared with the champion's read when the inputs are the same). */
  readonly seriesFor: (lease: ModelLease) => Promise<Map<string, Series>>;
  readonly batchOf: (series: Map<string, Series>, lease: ModelLease) => ShadowBatch;
}

/** One output and its alarm per window: the anomaly score or the fault probability, as the outputs module says. */
export function alarmOutputs(
  lease: ModelLease,
  input: Float32Array,
  outputs: InferenceResult['outputs'],
  n: number,
): { score: number; alarm: boolean | null }[] {
  const meta = lease.metadata;
  const raw = primaryOutput(meta, outputs).data;
  if (meta.family === 'anomaly') {
    const { scores, threshold } = anomalyOutputs(meta, input, raw, n);
    return Array.from(scores, (score) => ({ score, alarm: threshold === null ? null : exceeds(score, threshold) }));
  }
  return faultOutputs(meta, raw).map((f) => ({ score: f.probability, alarm: f.alarm }));
}

/**
 * Run `champion`'s shadow, if it has one, and pair its outputs with the champion's per device. A device either model
 * could not score (missing input, non-finite output, no alarm threshold) is left out.
 */
export async function shadowRows(
  deps: ShadowDeps,
  champion: { lease: ModelLease; batch: ShadowBatch; outputs: InferenceResult['outputs'] },
  placeOf: (device: string) => { cluster: string; rack: string },
  clock: StageClock,
): Promise<TableRow[]> {
  const { lease, batch } = champion;
  const family = lease.metadata.family;
  if (family !== 'anomaly' && family !== 'fault') return [];
  const shadow = await deps.shadowOf(lease.model);
  if (!shadow || shadow.version === lease.version) return [];
  return clock.time('shadow', () =>
    deps.withModel(lease.model, { version: shadow.version }, async (s) => {
      if (s.metadata.family !== family) return [];
      const sb = deps.batchOf(await deps.seriesFor(s), s);
      if (sb.devices.length === 0) return [];
      const result = await s.run(sb.input, [sb.devices.length, ...s.rowDims]);
      const mine = alarmOutputs(s, sb.input, result.outputs, sb.devices.length);
      const theirs = alarmOutputs(lease, batch.input, champion.outputs, batch.devices.length);
      const championAt = new Map(batch.devices.map((d, i) => [d, { ...theirs[i], ts: batch.endTs[i] }]));
      const rows: TableRow[] = [];
      sb.devices.forEach((device, i) => {
        const c = championAt.get(device);
        const m = mine[i];
        if (!c || c.ts !== sb.endTs[i] || c.alarm === null || m.alarm === null) return;
        if (!Number.isFinite(c.score) || !Number.isFinite(m.score)) return;
        rows.push({
          ts: c.ts,
          symbols: {
            device,
            ...placeOf(device),
            model: lease.model,
            family,
            champion_version: lease.version,
            shadow_version: s.version,
          },
          doubles: { champion_score: c.score, shadow_score: m.score },
          longs: { champion_alarm: c.alarm ? 1 : 0, shadow_alarm: m.alarm ? 1 : 0 },
        });
      });
      return rows;
    }),
  );
}
