/**
 * Throughput model evaluation on job rows: predicted vs measured throughput (MAE, MAPE, R²). Rows come from
 * the simulator's jobs, QuestDB's job_metrics, or a CSV with one job sample per row (text columns are the
 * categorical symbols such as gpu_model, numeric columns the values, `throughput` the measured target).
 */
import { AppError } from '../../src/errors.js';
import { rawFields } from '../../src/features/derived.js';
import {
  type JobFeatures,
  parseOneHot,
  throughputFromOutput,
  throughputRows,
} from '../../src/features/model-inputs.js';
import type { ModelMetadata } from '../../src/features/model-metadata.js';
import { type CsvTable, readCsvTable } from '../data/csv-frame.js';
import { parseNumber } from '../data/time-column.js';
import { mae, mape, r2, rmse } from '../metrics/regression.js';
import type { FamilyEvaluation } from './family-metrics.js';
import type { Predictor } from './predictor.js';
import type { SourceOptions } from './sources.js';

/** Job rows of a CSV: numeric cells become values, the rest symbols. */
export function jobsFromCsvTable({ header, rows }: CsvTable): JobFeatures[] {
  return rows.map((r) => {
    const symbols: Record<string, string> = {};
    const values: Record<string, number> = {};
    header.forEach((h, i) => {
      const n = parseNumber(r[i]);
      if (n === undefined) symbols[h] = r[i].trim();
      else values[h] = n;
    });
    return { symbols, values };
  });
}

export async function loadJobRows(spec: string, opts: SourceOptions): Promise<JobFeatures[]> {
  if (spec.startsWith('csv:')) {
    return jobsFromCsvTable(await readCsvTable(spec.slice(4)));
  }
  if (spec === 'sim') {
    const { simulateSeries } = await import('../../datasets/simulator/index.js');
    const s = opts.sim ?? {};
    return simulateSeries(
      { seed: s.seed ?? 7, gpus: s.gpus ?? 32, hours: s.hours ?? 24, start: s.start ?? Date.UTC(2026, 0, 1) },
      [],
    ).jobs;
  }
  if (spec === 'questdb') {
    if (!opts.questdb) throw new AppError('VALIDATION_FAILED', 'source questdb needs --from and --to');
    const { TelemetryReader } = await import('../../src/telemetry/reader.js');
    const reader = TelemetryReader.connect(opts.questdb.config);
    try {
      return await reader.jobRows({ from: opts.questdb.from, to: opts.questdb.to });
    } finally {
      await reader.close();
    }
  }
  throw new AppError('VALIDATION_FAILED', `unknown source "${spec}": use sim, questdb or csv:<path>`, { source: spec });
}

/** Rows with a measured throughput and every numeric input present (others cannot be scored fairly). */
export function usableRows(rows: readonly JobFeatures[], meta: Pick<ModelMetadata, 'features'>): JobFeatures[] {
  const fields = rawFields(meta.features.filter((f) => !parseOneHot(f)));
  return rows.filter((r) => (r.values.throughput ?? 0) > 0 && fields.every((f) => Number.isFinite(r.values[f])));
}

export async function evaluateThroughput(
  p: Predictor,
  rows: readonly JobFeatures[],
): Promise<FamilyEvaluation & { rows: number }> {
  const usable = usableRows(rows, p.meta);
  if (usable.length === 0) {
    throw new AppError(
      'VALIDATION_FAILED',
      `no job row has a throughput and all of ${rawFields(p.meta.features.filter((f) => !parseOneHot(f))).join(', ')}`,
    );
  }
  const x = throughputRows(usable, p.meta);
  const pred = Array.from(throughputFromOutput(await p.predict(x, usable.length), p.meta));
  const truth = usable.map((r) => r.values.throughput);
  return {
    rows: usable.length,
    metrics: {
      rows: usable.length,
      mae: mae(pred, truth),
      mapePct: mape(pred, truth),
      r2: r2(pred, truth),
      rmse: rmse(pred, truth),
    },
    detections: [],
    scatter: { truth, pred, what: 'throughput' },
  };
}
