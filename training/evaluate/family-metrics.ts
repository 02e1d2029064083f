/**
 * Metrics per model family from model outputs and ground truth (see training/metrics for the definitions).
 * Window values are compared with the truth at each window's last row.
 *   anomaly: event-level P/R/F1 (labelled spans vs detected intervals), point-wise P/R/F1, PR-AUC
 *   fault:   event P/R (alarm episodes, failures) and point-wise P/R at the threshold, median lead time, false alarms
 *            per device-day, PR-AUC
 *   ttf:     RMSE and MAE over all windows, RMSE and PHM08 score on each entity's last window (the usual
 *            run-to-failure benchmark convention), truth capped at ttfCapSteps like the training target
 * Every family reports `labelledEvents`: the labelled faults (anomaly), failures (fault) or failed units (ttf) the
 * holdout held. Without any, the event metrics are NaN, not perfect: a model that raises no alarm on a holdout
 * without faults has shown nothing, and promotion (src/queue/retrain-decision.ts) needs labelled evidence.
 */

import { type IntervalDetector, thresholdDetector } from '../../src/inference/detection/detector.js';
import { brierScore, expectedCalibrationError, type ReliabilityBin, reliabilityBins } from '../calibration.js';
import { sourceEntity } from '../data/types.js';
import {
  averagePrecision,
  eventMetrics,
  type PrCurve,
  pointMetrics,
  precisionRecallCurve,
} from '../metrics/anomaly.js';
import { faultPredictorMetrics } from '../metrics/fault.js';
import { overlaps } from '../metrics/intervals.js';
import { mae, phm08Score, rmse } from '../metrics/regression.js';
import type { EntityOutputs } from './model-outputs.js';
import type { EvalEntity } from './sources.js';

export interface EntityResult {
  readonly entity: EvalEntity;
  readonly out: EntityOutputs;
}

export interface DetectedSpan {
  readonly entity: string;
  readonly start: number;
  readonly end: number;
  readonly peak: number;
  readonly peakTs: number;
  /** Window indices in the entity's outputs. */
  readonly from: number;
  readonly to: number;
}

export interface FamilyEvaluation {
  readonly metrics: Record<string, number>;
  readonly pr?: PrCurve;
  /** Regression families: truth and prediction per window or row (for the scatter plot). */
  readonly scatter?: { readonly truth: number[]; readonly pred: number[]; readonly what: string };
  /** Fault family: the reliability diagram's bins (predicted probability vs observed frequency). */
  readonly reliability?: readonly ReliabilityBin[];
  readonly detections: DetectedSpan[];
}

/** Alarm intervals of each entity's outputs (training/detection/detector.ts decides how), in ms. */
export function detectedSpans(results: readonly EntityResult[], detector: IntervalDetector): DetectedSpan[] {
  return results.flatMap(({ entity, out }) =>
    detector.detect(out.values).map((iv) => ({
      entity: entity.entity,
      start: out.endTs[iv.start],
      end: out.endTs[iv.end],
      peak: iv.peak,
      peakTs: out.endTs[iv.peakIndex],
      from: iv.start,
      to: iv.end,
    })),
  );
}

/**
 * Each CSV entity's segments (cleaning cuts an entity at gaps longer than it fills) joined end to end in time
 * order, so the detector runs once over the entity's whole history: its smoothing span and sliding threshold
 * window are fractions of the series, and one short segment alone (NAB realTraffic splits into 12–42 of them) gives
 * a mean + k·std of a few dozen scores. The scoring API and the forecast do the same: the windows a gap leaves
 * without a score are skipped and one detector runs over the rest (src/inference/model-outputs.ts seriesVerdicts).
 */
export function joinSegments(results: readonly EntityResult[]): { result: EntityResult; parts: EntityResult[] }[] {
  const groups = new Map<string, EntityResult[]>();
  for (const r of results) {
    const source = sourceEntity(r.entity);
    groups.set(source, [...(groups.get(source) ?? []), r]);
  }
  return [...groups].map(([entity, parts]) => {
    if (parts.length === 1) return { result: parts[0], parts };
    const cat = (get: (o: EntityOutputs) => ArrayLike<number>) => parts.flatMap((p) => Array.from(get(p.out)));
    let rows = 0;
    const endIndex = Int32Array.from(
      parts.flatMap((p) => {
        const at = rows;
        rows += p.entity.series.ts.length;
        return Array.from(p.out.endIndex, (i) => i + at);
      }),
    );
    const contributions = parts.every((p) => p.out.contributions)
      ? Float64Array.from(cat((o) => o.contributions!))
      : undefined;
    const out: EntityOutputs = {
      endIndex,
      endTs: Float64Array.from(cat((o) => o.endTs)),
      values: Float64Array.from(cat((o) => o.values)),
      ...(contributions ? { contributions } : {}),
    };
    // The entity joined alike (rows, labels, labelled events), so its outputs' row indices index it.
    const series = parts.map((p) => p.entity.series);
    const { labels: _, ...first } = parts[0].entity;
    const joinedEntity: EvalEntity = {
      ...first,
      entity,
      series: {
        ts: Float64Array.from(series.flatMap((x) => Array.from(x.ts))),
        values: Float64Array.from(series.flatMap((x) => Array.from(x.values))),
        features: series[0].features,
      },
      events: parts.flatMap((p) => p.entity.events),
      ...(parts.every((p) => p.entity.labels)
        ? { labels: Uint8Array.from(parts.flatMap((p) => Array.from(p.entity.labels!))) }
        : {}),
    };
    return { result: { entity: joinedEntity, out }, parts };
  });
}

function pooled(results: readonly EntityResult[], label: (r: EntityResult, i: number) => number | undefined) {
  const scores: number[] = [];
  const labels: number[] = [];
  for (const r of results) {
    for (let i = 0; i < r.out.values.length; i++) {
      const l = label(r, i);
      if (l === undefined) continue;
      scores.push(r.out.values[i]);
      labels.push(l);
    }
  }
  return { scores, labels };
}

export function evaluateAnomaly(
  results: readonly EntityResult[],
  threshold: number,
  detector: IntervalDetector = thresholdDetector(threshold),
): FamilyEvaluation {
  const detections = detectedSpans(results, detector);
  const labelled = results.filter((r) => r.entity.labels);
  const metrics: Record<string, number> = {
    threshold,
    windows: results.reduce((s, r) => s + r.out.values.length, 0),
    detections: detections.length,
  };
  // Alarm flags per window as the detector sees them (the sliding detector: inside an interval).
  const alarmFlags = new Map(results.map((r) => [r, detector.alarms(r.out.values)]));
  const windows = metrics.windows;
  metrics.alarmRate =
    [...alarmFlags.values()].reduce((s, a) => s + a.reduce((x, y) => x + y, 0), 0) / Math.max(windows, 1);
  if (labelled.length === 0) return { metrics: { ...metrics, labelledEvents: 0 }, detections };
  let fp = 0;
  let deviceTp = 0;
  let deviceEvents = 0;
  // Recall per fault type, when the source names them (sim, questdb): which faults the detector sees.
  const byKind = new Map<string, { found: number; total: number }>();
  // Events are counted per fault label: a label seen on several devices (a rack incident) is one event.
  const labelFound = new Map<string, boolean>();
  for (const r of labelled) {
    const mine = detections.filter((d) => d.entity === r.entity.entity);
    const e = eventMetrics(mine, r.entity.events);
    fp += e.falsePositives;
    r.entity.events.forEach((ev, i) => {
      const id = ev.label ?? `${r.entity.entity}#${i}`;
      labelFound.set(id, (labelFound.get(id) ?? false) || mine.some((d) => overlaps(d, ev)));
    });
    deviceTp += e.truePositives;
    deviceEvents += e.events;
    for (const ev of r.entity.events) {
      if (ev.kind === undefined) continue;
      const k = byKind.get(ev.kind) ?? { found: 0, total: 0 };
      k.total++;
      if (mine.some((d) => overlaps(d, ev))) k.found++;
      byKind.set(ev.kind, k);
    }
  }
  const events = labelFound.size;
  const tp = [...labelFound.values()].filter(Boolean).length;
  const eventPrecision = detections.length > 0 ? (detections.length - fp) / detections.length : 1;
  // No labelled event: recall (and so F1) is undefined; a silent model must not score F1 = 1 on it.
  const eventRecall = events > 0 ? tp / events : Number.NaN;
  const { scores, labels } = pooled(labelled, (r, i) => r.entity.labels![r.out.endIndex[i]]);
  const flags = labelled.flatMap((r) => Array.from(alarmFlags.get(r) ?? []));
  const point = pointMetrics(flags, labels);
  Object.assign(metrics, {
    events,
    labelledEvents: events,
    eventsFound: tp,
    falsePositiveIntervals: fp,
    // The same recall counted per device (a rack incident once per GPU of the rack), for comparison.
    deviceEvents,
    deviceEventRecall: deviceEvents > 0 ? deviceTp / deviceEvents : Number.NaN,
    eventPrecision,
    eventRecall,
    eventF1:
      events === 0
        ? Number.NaN
        : eventPrecision + eventRecall > 0
          ? (2 * eventPrecision * eventRecall) / (eventPrecision + eventRecall)
          : 0,
    pointPrecision: point.precision,
    pointRecall: point.recall,
    pointF1: point.f1,
    prAuc: averagePrecision(scores, labels),
    positiveRate: labels.reduce((a, b) => a + b, 0) / Math.max(labels.length, 1),
  });
  for (const [kind, k] of [...byKind].sort(([a], [b]) => a.localeCompare(b))) {
    metrics[`eventRecall.${kind}`] = k.found / k.total;
    metrics[`events.${kind}`] = k.total;
  }
  return { metrics, detections, pr: precisionRecallCurve(scores, labels, 400) };
}

export function evaluateFault(
  results: readonly EntityResult[],
  threshold: number,
  horizonMs: number,
): FamilyEvaluation {
  const detections = detectedSpans(results, thresholdDetector(threshold));
  const f = faultPredictorMetrics(
    results.map((r) => ({
      device: r.entity.entity,
      ts: r.out.endTs,
      probability: r.out.values,
      failureTs: r.entity.failureTs,
    })),
    // An alarm clears once the probability stayed below the threshold for a whole horizon: until then the
    // prediction "fails within H" it made is still open.
    { threshold, horizonMs, alarmClearMs: horizonMs },
  );
  const { scores, labels } = pooled(results, (r, i) => {
    const t = r.out.endTs[i];
    const failure = r.entity.failureTs ?? Number.POSITIVE_INFINITY;
    return t >= failure ? undefined : t >= failure - horizonMs ? 1 : 0;
  });
  return {
    metrics: {
      threshold,
      horizonMs,
      eventPrecision: f.eventPrecision,
      eventRecall: f.eventRecall,
      alarms: f.alarms,
      precision: f.precision,
      recall: f.recall,
      // Point-wise F1 needs a failure to predict; without one it says nothing.
      f1: f.failures > 0 ? f.f1 : Number.NaN,
      failures: f.failures,
      labelledEvents: f.failures,
      detectedFailures: f.detectedFailures,
      medianLeadMinutes: f.medianLeadMs / 60_000,
      falseAlarms: f.falseAlarms,
      deviceDays: f.deviceDays,
      falseAlarmsPerDeviceDay: f.falseAlarmsPerDeviceDay,
      prAuc: averagePrecision(scores, labels),
      // Is `probability` a probability? Brier score and expected calibration error (10 bins) of the point-wise
      // "fails within the horizon" outcome, over every window evaluated (no thinning).
      brier: brierScore(scores, labels),
      ece: expectedCalibrationError(scores, labels),
    },
    detections,
    pr: precisionRecallCurve(scores, labels, 400),
    reliability: reliabilityBins(scores, labels),
  };
}

export function evaluateTtf(
  results: readonly EntityResult[],
  capSteps: number,
  samplePeriodMs: number,
): FamilyEvaluation {
  const truth: number[] = [];
  const pred: number[] = [];
  const lastTruth: number[] = [];
  const lastPred: number[] = [];
  for (const { entity, out } of results) {
    if (entity.failureTs === undefined) continue;
    let last = -1;
    for (let i = 0; i < out.values.length; i++) {
      if (out.endTs[i] > entity.failureTs) break;
      truth.push(Math.min((entity.failureTs - out.endTs[i]) / samplePeriodMs, capSteps));
      pred.push(out.values[i]);
      last = i;
    }
    if (last >= 0) {
      lastTruth.push(truth[truth.length - 1]);
      lastPred.push(pred[pred.length - 1]);
    }
  }
  return {
    metrics: {
      capSteps,
      windows: truth.length,
      units: lastTruth.length,
      labelledEvents: lastTruth.length,
      rmse: rmse(pred, truth),
      mae: mae(pred, truth),
      rmseLastWindow: rmse(lastPred, lastTruth),
      phm08LastWindow: phm08Score(lastPred, lastTruth),
    },
    detections: [],
    scatter: { truth, pred, what: 'samples to failure' },
  };
}
