/**
 * Train / validation / test split by time, never shuffled: each entity's rows are cut in time order (or, for
 * run-to-failure data, whole entities are assigned in order of their first timestamp). An optional gap of
 * `gapRows` rows (the window length) between parts keeps a window from straddling two parts and leaking.
 */
import { AppError } from '../../src/errors.js';
import { fitScaler, type ScalerParams } from '../../src/features/scaler.js';
import type { Dataset, EntitySeries } from './types.js';

export interface SplitOptions {
  readonly train?: number;
  readonly validation?: number;
  readonly test?: number;
  /** Rows left out between consecutive parts (default 0; pass the window length to avoid leakage). */
  readonly gapRows?: number;
  /** 'time' cuts every entity (default); 'entity' assigns whole entities in time order. */
  readonly by?: 'time' | 'entity';
}

export interface DatasetSplit {
  readonly train: readonly EntitySeries[];
  readonly validation: readonly EntitySeries[];
  readonly test: readonly EntitySeries[];
  readonly by: 'time' | 'entity';
  readonly fractions: { readonly train: number; readonly validation: number; readonly test: number };
  readonly gapRows: number;
}

/** Rows [start, end) of an entity, with its labels and targets. */
export function sliceEntity(e: EntitySeries, start: number, end: number): EntitySeries {
  const w = e.series.features.length;
  return {
    entity: e.entity,
    series: {
      ts: e.series.ts.slice(start, end),
      values: e.series.values.slice(start * w, end * w),
      features: e.series.features,
    },
    labels: e.labels?.slice(start, end),
    ttf: e.ttf?.slice(start, end),
    failureTs: e.failureTs,
  };
}

export function splitDataset(ds: Dataset, opts: SplitOptions = {}): DatasetSplit {
  const by = opts.by ?? 'time';
  const gapRows = opts.gapRows ?? 0;
  const raw = [opts.train ?? 0.7, opts.validation ?? 0.15, opts.test ?? 0.15];
  if (raw.some((f) => !(f >= 0)) || raw.reduce((a, b) => a + b, 0) <= 0) {
    throw new AppError('VALIDATION_FAILED', `split fractions must be >= 0 and not all 0 (got ${raw.join('/')})`);
  }
  const total = raw.reduce((a, b) => a + b, 0);
  const [ftr, fva, fte] = raw.map((f) => f / total);
  const parts: [EntitySeries[], EntitySeries[], EntitySeries[]] = [[], [], []];
  if (by === 'entity') {
    const order = [...ds.entities].sort((a, b) => a.series.ts[0] - b.series.ts[0]);
    const n = order.length;
    const nTrain = Math.round(n * ftr);
    const nVal = Math.round(n * (ftr + fva)) - nTrain;
    order.forEach((e, i) => {
      parts[i < nTrain ? 0 : i < nTrain + nVal ? 1 : 2].push(e);
    });
  } else {
    for (const e of ds.entities) {
      const n = e.series.ts.length;
      const usable = n - 2 * gapRows;
      if (usable < 3) {
        throw new AppError(
          'VALIDATION_FAILED',
          `entity "${e.entity}" has ${n} rows: too few to split with a gap of ${gapRows} rows`,
          {
            entity: e.entity,
            rows: n,
            gapRows,
          },
        );
      }
      const a = Math.round(usable * ftr);
      const b = Math.round(usable * (ftr + fva));
      parts[0].push(sliceEntity(e, 0, a));
      parts[1].push(sliceEntity(e, a + gapRows, b + gapRows));
      parts[2].push(sliceEntity(e, b + 2 * gapRows, n));
    }
    for (const p of parts) p.splice(0, p.length, ...p.filter((e) => e.series.ts.length > 0));
  }
  if (parts[0].length === 0) throw new AppError('VALIDATION_FAILED', 'the training split is empty');
  return {
    train: parts[0],
    validation: parts[1],
    test: parts[2],
    by,
    fractions: { train: ftr, validation: fva, test: fte },
    gapRows,
  };
}

/** Fit the standard scaler on the training rows only (validation and test must not inform it). */
export function fitTrainScaler(train: readonly EntitySeries[]): ScalerParams {
  if (train.length === 0) throw new AppError('VALIDATION_FAILED', 'cannot fit a scaler on an empty training split');
  const width = train[0].series.features.length;
  const total = train.reduce((s, e) => s + e.series.values.length, 0);
  const all = new Float64Array(total);
  let off = 0;
  for (const e of train) {
    all.set(e.series.values, off);
    off += e.series.values.length;
  }
  return fitScaler(all, width);
}
