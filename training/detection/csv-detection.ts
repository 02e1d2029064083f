import type { SlidingDetection } from '../../src/inference/detection/find-anomalies.js';

/**
 * The default for models trained on a CSV source: Orion's settings, not tuned to any signal (EWMA over 1 % of the
 * series, capped at 200; windows of a third of the series stepping a tenth; mean + 4·std; hits padded by 50 rows,
 * Orion's `anomaly_padding`; minor peaks within 10 % of the next pruned), and intervals at most 50 rows apart merged.
 * Training raises padding and merge gap to the model window when that is longer. Measured on NAB with
 * `npm run benchmark -- nab` (README). The detector runs over point errors (each row's own reconstruction error,
 * see pointScores in src/inference/model-outputs.ts): on NAB's realAdExchange models, window scores gave F1 0.588
 * and point errors 0.718 with the same trained models. `npm run score` runs it once over an entity's segments
 * joined (training/evaluate/family-metrics.ts joinSegments, used by score and evaluate): with each segment alone
 * the same models gave realAdExchange 0.718 and realTraffic 0.381, joined 0.824 and 0.686.
 */
export const CSV_DETECTION: SlidingDetection = {
  method: 'sliding-window',
  smoothingFraction: 0.01,
  smoothingMaxSpan: 200,
  windowFraction: 0.33,
  stepFraction: 0.1,
  threshold: 'sigma',
  k: 4,
  padding: 50,
  pruneMinPercent: 0.1,
  mergeGap: 50,
  errors: 'point',
};
