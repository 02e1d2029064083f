/**
 * Stragglers: a synchronous multi-GPU job runs at the speed of its slowest GPU. A GPU whose utilisation sits
 * `straggler.utilDeficitPct` % below the median of its job's other GPUs, or whose anomaly is mostly about
 * utilisation, holds the whole job back: rebalance the job off it, onto the placement the throughput model rates
 * best when there is a forecast, else onto whatever healthy GPUs the scheduler picks.
 */
import { jobTarget } from '../topology.js';
import type { AnomalyScore, Evidence, GpuUtilisation, JobPlacement, PlacementForecast } from '../types.js';
import { anomalyCategory, anomalyConfidence } from './anomaly.js';
import {
  type ActionDraft,
  draft,
  featuresText,
  isFresh,
  isoTime,
  latestByKey,
  modelName,
  type RuleContext,
  round,
  topFeatures,
} from './context.js';

interface Straggler {
  readonly device: string;
  readonly confidence: number;
  readonly why: string;
  readonly utilisation?: { gpuUtilPct: number; peerMedianPct: number };
  readonly anomaly?: AnomalyScore;
}

export function stragglerRules(ctx: RuleContext, anomalies: readonly AnomalyScore[]): ActionDraft[] {
  const util = new Map<string, GpuUtilisation>();
  for (const u of latestByKey(ctx.input.utilisation, (x) => x.device).values()) {
    if (isFresh(ctx, u.ts) && Number.isFinite(u.gpuUtilPct)) util.set(u.device, u);
  }
  const utilAnomalies = new Map<string, AnomalyScore>();
  for (const a of anomalies) {
    if (anomalyCategory(topFeatures(a.topFeatures, ctx.config.anomaly.topFeatures)) === 'utilisation')
      utilAnomalies.set(a.device, a);
  }
  const placements = latestByKey(ctx.input.placementForecasts, (p) => p.jobId);
  const out: ActionDraft[] = [];
  for (const job of [...ctx.input.topology.jobs].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    if (job.devices.length < ctx.config.straggler.minJobGpus) continue;
    const stragglers = job.devices
      .map((d) => findStraggler(ctx, job, d, util, utilAnomalies.get(d)))
      .filter((s): s is Straggler => s !== undefined)
      .sort((a, b) => (a.device < b.device ? -1 : 1));
    if (stragglers.length === 0) continue;
    if (stragglers.length === job.devices.length) {
      ctx.note(`job ${job.id}: every GPU looks slow, so there is no healthier GPU to rebalance onto`);
      continue;
    }
    out.push(rebalance(ctx, job, stragglers, placements.get(job.id)));
  }
  return out;
}

function findStraggler(
  ctx: RuleContext,
  job: JobPlacement,
  device: string,
  util: ReadonlyMap<string, GpuUtilisation>,
  anomaly: AnomalyScore | undefined,
): Straggler | undefined {
  const deficitPct = ctx.config.straggler.utilDeficitPct;
  const own = util.get(device);
  const peers = job.devices.filter((d) => d !== device && util.has(d)).map((d) => util.get(d)!.gpuUtilPct);
  const whys: string[] = [];
  let confidence = 0;
  let utilisation: Straggler['utilisation'];
  if (own !== undefined && peers.length > 0) {
    const med = median(peers);
    if (med > 0 && own.gpuUtilPct < med * (1 - deficitPct / 100)) {
      const deficit = ((med - own.gpuUtilPct) / med) * 100;
      utilisation = { gpuUtilPct: own.gpuUtilPct, peerMedianPct: med };
      // 0.6 at a small deficit, up to 1.0 for a GPU doing nothing while its peers work.
      confidence = round(0.6 + 0.4 * Math.min(1, deficit / 100), 4);
      whys.push(
        `${device} runs at ${round(own.gpuUtilPct, 1)}% utilisation vs a median of ${round(med, 1)}% on its ` +
          `${peers.length} peer GPU(s) (${round(deficit, 1)}% below; straggler at ${deficitPct}%)`,
      );
    }
  }
  if (anomaly !== undefined) {
    const multiple = anomaly.score / anomaly.threshold;
    confidence = Math.max(confidence, anomalyConfidence(multiple));
    whys.push(
      `anomaly model ${modelName(anomaly.model)} scores ${device} ${round(anomaly.score, 4)} vs threshold ` +
        `${round(anomaly.threshold, 4)} (${round(multiple)}x) at ${isoTime(anomaly.ts)}, top features ` +
        featuresText(topFeatures(anomaly.topFeatures, ctx.config.anomaly.topFeatures)),
    );
  }
  if (whys.length === 0) return undefined;
  return { device, confidence, why: whys.join('; '), utilisation, anomaly };
}

function rebalance(
  ctx: RuleContext,
  job: JobPlacement,
  stragglers: readonly Straggler[],
  forecast: PlacementForecast | undefined,
): ActionDraft {
  const slow = stragglers.map((s) => s.device);
  const best = forecast !== undefined && isFresh(ctx, forecast.ts) ? bestPlacement(forecast, slow) : undefined;
  const currentKey = [...job.devices].sort().join(',');
  const current = forecast?.candidates.find((c) => [...c.devices].sort().join(',') === currentKey);
  const changePct =
    best !== undefined && current !== undefined && current.throughput > 0
      ? round(((best.throughput - current.throughput) / current.throughput) * 100, 2)
      : undefined;
  const onto =
    best !== undefined
      ? `onto ${best.devices.join(', ')} (throughput model ${modelName(forecast!.model)} predicts ${round(best.throughput, 2)}/s` +
        `${changePct !== undefined ? `, ${changePct >= 0 ? '+' : ''}${changePct}%` : ''})`
      : "onto healthy GPUs of the scheduler's choice (no placement forecast)";
  const first = stragglers.find((s) => s.anomaly !== undefined)?.anomaly;
  const evidence: Evidence = {
    kind: 'straggler',
    key: `straggler:${slow.join(',')}`,
    devices: slow,
    model: first?.model,
    topFeatures: first === undefined ? undefined : topFeatures(first.topFeatures, ctx.config.anomaly.topFeatures),
    utilisation: stragglers.find((s) => s.utilisation !== undefined)?.utilisation,
  };
  return draft({
    type: 'rebalance_job',
    target: jobTarget(job, ctx.topo, slow[0]),
    severity: 'warning',
    confidence: Math.max(...stragglers.map((s) => s.confidence)),
    evidence,
    reason: `Job ${job.id} is held back by ${slow.length} straggler GPU(s): ${stragglers.map((s) => s.why).join('. ')}. Rebalance ${onto}.`,
    params: best === undefined ? { excludeDevices: slow } : { excludeDevices: slow, targetDevices: [...best.devices] },
    expectedBenefit: {
      summary: `job ${job.id} stops waiting for ${slow.join(', ')}`,
      throughputChangePct: changePct,
      gpusAffected: job.devices.length,
    },
  });
}

/** The candidate placement with the highest predicted throughput that avoids every straggler. */
function bestPlacement(
  forecast: PlacementForecast,
  slow: readonly string[],
): PlacementForecast['candidates'][number] | undefined {
  const ok = forecast.candidates.filter((c) => c.throughput > 0 && !c.devices.some((d) => slow.includes(d)));
  const key = (c: PlacementForecast['candidates'][number]): string => [...c.devices].sort().join(',');
  return ok.sort((a, b) => b.throughput - a.throughput || (key(a) < key(b) ? -1 : 1))[0];
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
