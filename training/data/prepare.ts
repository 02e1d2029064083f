/** One call from a CSV to what a trainer needs: the cleaned dataset, its cleaning report, the split and the scaler. */

import type { ScalerParams } from '../../src/features/scaler.js';
import { type CleaningReport, type CleanOptions, cleanDataset, type WarnLogger } from './clean.js';
import { type CsvOptions, loadCsv } from './csv.js';
import { type DatasetSplit, fitTrainScaler, type SplitOptions, splitDataset } from './split.js';
import type { Dataset } from './types.js';

export interface PrepareOptions {
  readonly csv?: CsvOptions;
  readonly clean?: CleanOptions;
  readonly split?: SplitOptions;
}

export interface PreparedData {
  /** The cleaned dataset (constant columns dropped, gaps filled or split). */
  readonly dataset: Dataset;
  readonly cleaning: CleaningReport;
  readonly split: DatasetSplit;
  /** Fitted on `split.train` only. */
  readonly scaler: ScalerParams;
}

export function prepareDataset(ds: Dataset, opts: PrepareOptions = {}, log?: WarnLogger): PreparedData {
  const { dataset, report } = cleanDataset(ds, opts.clean, log);
  const split = splitDataset(dataset, opts.split);
  return { dataset, cleaning: report, split, scaler: fitTrainScaler(split.train) };
}

export async function prepareCsv(path: string, opts: PrepareOptions = {}, log?: WarnLogger): Promise<PreparedData> {
  return prepareDataset(await loadCsv(path, opts.csv), opts, log);
}
