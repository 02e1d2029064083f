/**
 * The shapes data preparation hands to training and evaluation: one dense, time-sorted `Series` per entity
 * (device, unit, engine) with optional labels or time-to-failure targets aligned to its rows.
 */
import type { DataSource } from '../../src/features/model-metadata.js';
import type { Series } from '../../src/features/windows.js';

/** How the time column was read: ISO-8601 text, epoch seconds, epoch milliseconds, or an integer step. */
export type TimeKind = 'iso' | 'epoch_s' | 'epoch_ms' | 'step';

/** The entity a series belongs to: the one it was cut from, or itself when it was never split. */
export const sourceEntity = (e: { readonly entity: string; readonly segmentOf?: string }): string =>
  e.segmentOf ?? e.entity;

export interface EntitySeries {
  readonly entity: string;
  /**
   * The entity this segment was cut from (cleaning splits an entity at gaps longer than it fills, naming the parts
   * `<entity>#2`, ...): detection runs over all of an entity's segments as one history
   * (training/evaluate/family-metrics.ts joinSegments).
   */
  readonly segmentOf?: string;
  readonly series: Series;
  /** 0/1 per row, when the source has a label column. */
  readonly labels?: Uint8Array;
  /** Run-to-failure: samples (rows at `samplePeriodMs`) until this entity's failure, per row; the last row is 0. */
  readonly ttf?: Float64Array;
  /** Run-to-failure: epoch ms of the failure (the entity's last record). */
  readonly failureTs?: number;
}

export interface Dataset {
  readonly source: DataSource;
  readonly timeColumn: string;
  readonly timeKind: TimeKind;
  /** Median spacing of rows (ms); for a step column, the ms one step stands for. */
  readonly samplePeriodMs: number;
  /** Feature columns, in order (the order of `series.values`). */
  readonly features: readonly string[];
  /** Entity column, or several joined by ',' (their values are joined by '/' into the entity name). */
  readonly entityColumn?: string;
  /** Columns left out of the default features because they hold no numbers (e.g. cluster, gpu_model). */
  readonly textColumns?: readonly string[];
  readonly labelColumn?: string;
  readonly runToFailure: boolean;
  readonly entities: readonly EntitySeries[];
}
