/**
 * `models/<name>/<version>/model.json`: the contract between training (which writes it) and serving (which reads
 * it). It records everything `src/features` needs to rebuild a model's inputs from raw telemetry, so training and
 * serving never disagree about features, their order, scaling or windowing.
 */
import type { ScalerParams } from './scaler.js';

export type ModelFamily = 'anomaly' | 'fault' | 'ttf' | 'throughput';

export interface ThresholdChoice {
  readonly value: number;
  /** `percentile` (value = the q-quantile of validation scores) or `pot` (peaks over threshold, GPD tail). */
  readonly method: 'percentile' | 'pot' | 'fixed';
  readonly params: Readonly<Record<string, number>>;
  /** Both candidates, so a reader sees what was compared. */
  readonly candidates?: Readonly<Record<string, number>>;
}

/**
 * Fault predictor: the map from the network's raw score to the probability of a fault within the horizon, fitted on
 * the validation split at training time (training/calibration.ts). `platt`: p = σ(a · logit(s) + b). `isotonic`: a
 * non-decreasing step function, `x` ascending raw scores and `y` the probability from each `x` on (below `x[0]`:
 * `y[0]`). Both are monotone. A model with a calibration has its `threshold` on the calibrated scale (chosen in
 * training on calibrated validation probabilities); one without has it on the raw score.
 */
export type Calibration =
  | {
      readonly method: 'platt';
      readonly a: number;
      readonly b: number;
      /** Validation measures of the chosen map and of the raw scores, so a reader sees what was gained. */
      readonly metrics: Readonly<Record<string, number>>;
    }
  | {
      readonly method: 'isotonic';
      readonly x: readonly number[];
      readonly y: readonly number[];
      readonly metrics: Readonly<Record<string, number>>;
    };

export interface DataSource {
  /** `questdb` or `csv:<path>`. */
  readonly kind: string;
  readonly from?: string;
  readonly to?: string;
  readonly devices?: number;
  readonly rows: number;
  /** sha256 of the training rows as read, so a version names its data. */
  readonly sha256: string;
  /** CSV sources: what cleaning did to the rows (training/data/clean.ts `CleaningReport`). */
  readonly cleaning?: CleaningSummary;
  /** CSV sources: each feature column as read, before cleaning (training/data/describe.ts). */
  readonly columns?: readonly ColumnSummary[];
}

/** One column of a CSV as read: present values, missing cells, range, and whether it holds one value only. */
export interface ColumnSummary {
  readonly name: string;
  readonly count: number;
  readonly missing: number;
  readonly min: number;
  readonly max: number;
  readonly constant: boolean;
}

/** Counts of what data cleaning changed, recorded so a model version says how its data was prepared. */
export interface CleaningSummary {
  readonly rowsIn: number;
  readonly rowsOut: number;
  readonly duplicatesDropped: number;
  readonly gapsFilled: number;
  readonly rowsInserted: number;
  readonly gapsSplit: number;
  readonly nanCellsFilled: number;
  readonly rowsDropped: number;
  readonly segmentsDropped: number;
  readonly constantColumnsDropped: readonly string[];
  readonly warnings: readonly string[];
  readonly options: Readonly<Record<string, string | number | boolean>>;
}

export interface ModelMetadata {
  readonly name: string;
  readonly version: string;
  readonly family: ModelFamily;
  readonly createdAt: string;
  /** Input feature names, in the order the model consumes them. */
  readonly features: readonly string[];
  readonly scaler: ScalerParams;
  /** Window length in samples (1 for tabular models such as throughput). */
  readonly windowLength: number;
  readonly stride: number;
  /** Sample period of the series, ms (for QuestDB SAMPLE BY and for converting steps to time). */
  readonly samplePeriodMs: number;
  /** Output names and meaning, e.g. ['reconstruction'] or ['fault_probability']. */
  readonly outputs: readonly string[];
  readonly threshold?: ThresholdChoice;
  /** Fault predictor: raw score → calibrated probability (absent in older models: the raw score is reported). */
  readonly calibration?: Calibration;
  /** Fault predictor: horizon H in samples; TTF: cap on the target in samples. */
  readonly horizonSteps?: number;
  readonly ttfCapSteps?: number;
  /** Throughput: the target's scaler (the model predicts the scaled target). */
  readonly targetScaler?: ScalerParams;
  /** Throughput: transform applied to the target before `targetScaler` (`log`: the model predicts scaled log). */
  readonly targetTransform?: 'log' | 'identity';
  /** Anomaly: the score is the mean squared reconstruction error over the window's last k steps (default all). */
  readonly scoreLastSteps?: number;
  /** Anomaly: per-feature weights of the squared reconstruction error (src/features/reconstruction.ts). */
  readonly scoreWeights?: readonly number[];
  /** Anomaly: the score is the mean of this many largest per-feature errors (default: all features). */
  readonly scoreTopFeatures?: number;
  /** Throughput: categorical features one-hot encoded, with their categories in order. */
  readonly categories?: Readonly<Record<string, readonly string[]>>;
  readonly source: DataSource;
  readonly metrics: Readonly<Record<string, number>>;
  readonly training: {
    readonly backend: string;
    readonly device: string;
    readonly epochs: number;
    readonly bestEpoch: number;
    readonly seconds: number;
    readonly seed: number;
    readonly hyperparameters: Readonly<Record<string, number | string | boolean>>;
  };
  /** Present once exported: the ONNX file next to model.json, its input and output tensor names. */
  readonly onnx?: {
    readonly file: string;
    readonly input: string;
    readonly outputs: readonly string[];
    readonly opset: number;
  };
}
