/**
 * The one place where a model's per-window scores become anomaly intervals, used by evaluation
 * (training/evaluate) and by `npm run score` alike, so both report the same intervals for the same scores.
 * A model whose model.json carries `detection` (CSV sources, see CSV_DETECTION) gets the sliding-window detector
 * of find-anomalies.ts; others (simulator and telemetry models) keep "above the stored threshold, gaps of at most
 * `mergeGap` rows merged". An explicit threshold (a `--threshold` flag) always means the fixed rule.
 */
import type { ModelMetadata } from '../../features/model-metadata.js';
import { findAnomalies, type SlidingDetection } from './find-anomalies.js';
import { type DetectedInterval, scoresToIntervals } from './intervals.js';

/** model.json with the detection settings training recorded (absent on models trained before them). */
export type MetadataWithDetection = ModelMetadata & { readonly detection?: SlidingDetection };

export function detectionOf(meta: ModelMetadata): SlidingDetection | undefined {
  const d = (meta as MetadataWithDetection).detection;
  return d?.method === 'sliding-window' ? d : undefined;
}

export interface IntervalDetector {
  readonly kind: 'threshold' | 'sliding-window';
  /** Intervals as indices into `values` (inclusive). */
  detect(values: ArrayLike<number>): DetectedInterval[];
  /** Per value: 1 when it is an alarm (above the threshold; for the sliding detector, inside an interval). */
  alarms(values: ArrayLike<number>): Uint8Array;
}

export function thresholdDetector(threshold: number, mergeGap = 0): IntervalDetector {
  return {
    kind: 'threshold',
    detect: (values) => scoresToIntervals(values, threshold, { mergeGap }),
    alarms: (values) => Uint8Array.from(values, (v) => (v > threshold ? 1 : 0)),
  };
}

export function slidingDetector(settings: SlidingDetection): IntervalDetector {
  const detect = (values: ArrayLike<number>) => findAnomalies(values, settings);
  return {
    kind: 'sliding-window',
    detect,
    alarms: (values) => {
      const out = new Uint8Array(values.length);
      for (const iv of detect(values)) out.fill(1, iv.start, iv.end + 1);
      return out;
    },
  };
}

/**
 * The detector for a model: `threshold` given explicitly → fixed rule; model.json's `detection` → sliding window
 * (`mergeGap`, when given, replaces its merge gap); else the stored threshold. Undefined when there is none.
 */
export function detectorFor(
  meta: ModelMetadata,
  opts: { threshold?: number; mergeGap?: number } = {},
): IntervalDetector | undefined {
  const sliding = detectionOf(meta);
  if (opts.threshold === undefined && sliding) {
    return slidingDetector(opts.mergeGap === undefined ? sliding : { ...sliding, mergeGap: opts.mergeGap });
  }
  const threshold = opts.threshold ?? meta.threshold?.value ?? (meta.family === 'fault' ? 0.5 : undefined);
  return threshold === undefined ? undefined : thresholdDetector(threshold, opts.mergeGap ?? 0);
}
