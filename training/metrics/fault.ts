/**
 * Fault predictor metrics. Definitions (a model predicts "this device fails within H"):
 * - A row is positive when failure − H ≤ ts < failure; rows at or after the failure are not scored (the device
 *   is down). Precision and recall are point-wise over scored rows, alarm = probability ≥ threshold.
 * - A failure is detected when an alarm fires in [failure − H, failure); lead time = failure − the first such
 *   alarm. The report gives the median over detected failures (so leads are at most H by construction).
 * - An alarm episode is a run of alarming rows; with `alarmClearMs`, runs less than that apart are one episode (an
 *   alarm clears only after the probability stays below the threshold that long, as an operator's alert would).
 *   A false alarm is an episode that overlaps no [failure − H, failure) window; per device-day = false alarms /
 *   observed device-days (rows before any failure).
 * - Event precision = episodes that overlap a [failure − H, failure) window / all episodes; event recall = detected
 *   failures / failures. These are what an operator sees (alarms and failures); the point-wise pair above weighs a
 *   long-running alarm by its rows instead.
 */
import { type PointMetrics, pointMetrics } from './anomaly.js';
import { scoresToIntervals } from './intervals.js';

export interface FaultDeviceScores {
  readonly device: string;
  /** Epoch ms per row, ascending. */
  readonly ts: ArrayLike<number>;
  readonly probability: ArrayLike<number>;
  /** Epoch ms of the device's failure, when it fails. */
  readonly failureTs?: number;
}

export interface FaultMetrics extends PointMetrics {
  readonly failures: number;
  readonly detectedFailures: number;
  /** Median lead time over detected failures, ms (NaN when none detected). */
  readonly medianLeadMs: number;
  readonly leadTimesMs: readonly number[];
  readonly falseAlarms: number;
  readonly alarms: number;
  readonly eventPrecision: number;
  readonly eventRecall: number;
  readonly deviceDays: number;
  readonly falseAlarmsPerDeviceDay: number;
}

const DAY_MS = 86_400_000;

function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function faultPredictorMetrics(
  devices: readonly FaultDeviceScores[],
  opts: { threshold: number; horizonMs: number; alarmClearMs?: number },
): FaultMetrics {
  const pred: number[] = [];
  const lab: number[] = [];
  const leads: number[] = [];
  let failures = 0;
  let falseAlarms = 0;
  let alarms = 0;
  let observedMs = 0;
  for (const d of devices) {
    const failure = d.failureTs ?? Number.POSITIVE_INFINITY;
    const from = failure - opts.horizonMs;
    let n = 0;
    while (n < d.ts.length && d.ts[n] < failure) n++;
    if (n === 0) continue;
    const alarm = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      alarm[i] = d.probability[i] >= opts.threshold ? 1 : 0;
      pred.push(alarm[i]);
      lab.push(d.ts[i] >= from ? 1 : 0);
    }
    if (d.failureTs !== undefined) {
      failures++;
      for (let i = 0; i < n; i++) {
        if (alarm[i] && d.ts[i] >= from) {
          leads.push(failure - d.ts[i]);
          break;
        }
      }
    }
    const period = n > 1 ? (d.ts[n - 1] - d.ts[0]) / (n - 1) : 0;
    const mergeGap = period > 0 ? Math.floor((opts.alarmClearMs ?? 0) / period) : 0;
    for (const ep of scoresToIntervals(alarm, 0.5, { mergeGap })) {
      alarms++;
      if (d.ts[ep.end] < from) falseAlarms++;
    }
    observedMs += d.ts[n - 1] - d.ts[0] + period;
  }
  const deviceDays = observedMs / DAY_MS;
  return {
    ...pointMetrics(pred, lab),
    failures,
    detectedFailures: leads.length,
    medianLeadMs: median(leads),
    leadTimesMs: leads,
    falseAlarms,
    alarms,
    eventPrecision: alarms > 0 ? (alarms - falseAlarms) / alarms : Number.NaN,
    eventRecall: failures > 0 ? leads.length / failures : Number.NaN,
    deviceDays,
    falseAlarmsPerDeviceDay: deviceDays > 0 ? falseAlarms / deviceDays : Number.NaN,
  };
}
