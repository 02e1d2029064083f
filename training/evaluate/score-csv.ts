/**
 * Score a CSV with a trained model: per-row values (anomaly score, fault probability or predicted samples to
 * failure, for the window ending on that row; predicted throughput per job row for a throughput model) and the detected intervals (start, end, peak, top features), as CSV
 * and JSON in `outDir`. The CSV is cleaned first (duplicates, short gaps, missing cells; constant columns kept),
 * so output rows are the cleaned rows; the cleaning report is in summary.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { rawFields } from '../../src/features/derived.js';
import { detectorFor } from '../../src/inference/detection/detector.js';
import { type CleaningReport, cleanDataset } from '../data/clean.js';
import { type CsvOptions, loadCsv } from '../data/csv.js';
import { padShort } from '../data/pad.js';
import { detectedSpans, type EntityResult, joinSegments } from './family-metrics.js';
import { modelOutputs, topFeatures } from './model-outputs.js';
import { loadPredictor } from './predictor.js';
import { type JobScoreSummary, scoreJobsCsv } from './score-jobs.js';

export interface ScoreCsvOptions {
  readonly modelDir: string;
  readonly csv: string;
  readonly outDir: string;
  readonly csvOptions?: CsvOptions;
  readonly runtime?: 'auto' | 'onnx' | 'tfjs';
  /** Override the model's threshold (alarms are values above it). */
  readonly threshold?: number;
  /** Intervals at most this many rows apart are merged (default: model.json's detection, else 0). */
  readonly mergeGap?: number;
  /** Features listed per interval (default 3). */
  readonly topK?: number;
}

export interface ScoredInterval {
  readonly entity: string;
  readonly start: string;
  readonly end: string;
  readonly rows: number;
  readonly peak: number;
  readonly peakTs: string;
  readonly topFeatures: readonly { readonly feature: string; readonly share: number }[];
}

export interface ScoreSummary {
  readonly model: string;
  readonly family: string;
  readonly runtime: 'onnx' | 'tfjs';
  readonly column: string;
  readonly threshold?: number;
  readonly rows: number;
  readonly windows: number;
  readonly alarms: number;
  readonly intervals: number;
  /** Rows at the start of each entity with no value: the first window ends on row `windowLength`. */
  readonly unscoredLeadingRows?: number;
  /** Remaining-useful-life models: each entity's predicted RUL at its last observed row (rul.csv). */
  readonly remaining?: readonly EntityRul[];
  /** Window models: what cleaning did to the CSV. */
  readonly cleaning?: CleaningReport;
  /** Throughput models: rows scored and skipped. */
  readonly jobs?: JobScoreSummary;
  readonly files: readonly string[];
}

export interface EntityRul {
  readonly entity: string;
  readonly lastTs: string;
  readonly lastTsMs: number;
  /** Rows observed (before any padding). */
  readonly rows: number;
  /** Predicted samples (steps) to failure at the last row, in [0, ttfCapSteps]. */
  readonly rulSteps: number;
  readonly padded: boolean;
}

function lastStepRul(results: readonly EntityResult[], padded: ReadonlyMap<string, number>): EntityRul[] {
  return results.map(({ entity, out }) => {
    const last = out.values.length - 1;
    return {
      entity: entity.entity,
      lastTs: new Date(out.endTs[last]).toISOString(),
      lastTsMs: out.endTs[last],
      rows: padded.get(entity.entity) ?? entity.series.ts.length,
      rulSteps: out.values[last],
      padded: padded.has(entity.entity),
    };
  });
}

function csvField(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export async function scoreCsv(
  o: ScoreCsvOptions,
): Promise<{ summary: ScoreSummary; intervals: ScoredInterval[]; remaining?: EntityRul[] }> {
  const predictor = await loadPredictor(o.modelDir, o.runtime ?? 'auto');
  try {
    const meta = predictor.meta;
    if (meta.family === 'throughput') {
      await mkdir(o.outDir, { recursive: true });
      const jobs = await scoreJobsCsv(predictor, o.csv, o.outDir);
      const summary: ScoreSummary = {
        model: `${meta.name}/${meta.version}`,
        family: meta.family,
        runtime: predictor.kind,
        column: 'predicted_throughput',
        rows: jobs.rows,
        windows: jobs.scored,
        alarms: 0,
        intervals: 0,
        jobs,
        files: [path.join(o.outDir, 'scores.csv'), path.join(o.outDir, 'summary.json')],
      };
      await writeFile(path.join(o.outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
      return { summary, intervals: [] };
    }
    // A remaining-useful-life model answers for every entity, even one observed for fewer rows than a window:
    // its first row is repeated in front (padded); other families need a full window.
    const ttf = meta.family === 'ttf';
    const ds = await loadCsv(o.csv, {
      ...o.csvOptions,
      features: o.csvOptions?.features ?? rawFields(meta.features),
      minRows: ttf ? undefined : meta.windowLength,
    });
    const { dataset, report } = cleanDataset(ds, { dropConstant: false, minRows: ttf ? 1 : meta.windowLength });
    const results: EntityResult[] = [];
    const { entities, padded } = padShort(dataset.entities, meta.windowLength, dataset.samplePeriodMs);
    for (const e of entities)
      results.push({ entity: { ...e, events: [] }, out: await modelOutputs(predictor, e.series) });
    const column = meta.family === 'anomaly' ? 'score' : meta.family === 'fault' ? 'fault_probability' : 'ttf_steps';
    const threshold = o.threshold ?? meta.threshold?.value ?? (meta.family === 'fault' ? 0.5 : undefined);
    const detector = meta.family === 'ttf' ? undefined : detectorFor(meta, o);
    const joined = joinSegments(results);
    const flagsOf = new Map<EntityResult, Uint8Array>();
    for (const j of detector ? joined : []) {
      const flags = detector!.alarms(j.result.out.values);
      let at = 0;
      for (const part of j.parts) {
        flagsOf.set(part, flags.subarray(at, at + part.out.values.length));
        at += part.out.values.length;
      }
    }
    const lines = [`entity,ts,ts_ms,${column},alarm`];
    let alarms = 0;
    let windows = 0;
    for (const result of results) {
      const { entity, out } = result;
      const byRow = new Map<number, number>();
      const flags = flagsOf.get(result);
      const alarmByRow = new Map<number, number>();
      out.endIndex.forEach((row, i) => {
        byRow.set(row, out.values[i]);
        alarmByRow.set(row, flags?.[i] ?? 0);
      });
      windows += out.values.length;
      const ts = entity.series.ts;
      for (let r = 0; r < ts.length; r++) {
        const v = byRow.get(r);
        const alarm = alarmByRow.get(r) ?? 0;
        alarms += alarm;
        lines.push(
          [
            csvField(entity.entity),
            new Date(ts[r]).toISOString(),
            ts[r],
            v === undefined ? '' : v,
            v === undefined ? '' : alarm,
          ].join(','),
        );
      }
    }
    const intervals: ScoredInterval[] =
      detector === undefined
        ? []
        : detectedSpans(
            joined.map((j) => j.result),
            detector,
          ).map((d) => {
            const out = joined.find((j) => j.result.entity.entity === d.entity)!.result.out;
            return {
              entity: d.entity,
              start: new Date(d.start).toISOString(),
              end: new Date(d.end).toISOString(),
              rows: d.to - d.from + 1,
              peak: d.peak,
              peakTs: new Date(d.peakTs).toISOString(),
              topFeatures: out.contributions
                ? topFeatures(out.contributions, meta.features, d.from, d.to, o.topK ?? 3)
                : [],
            };
          });
    await mkdir(o.outDir, { recursive: true });
    const files = ['scores.csv', 'intervals.csv', 'intervals.json', 'summary.json'];
    const remaining = ttf ? lastStepRul(results, padded) : undefined;
    if (remaining) {
      files.push('rul.csv');
      const rulLines = ['entity,last_ts,last_ts_ms,rows,rul_steps,padded'];
      for (const r of remaining) {
        rulLines.push([csvField(r.entity), r.lastTs, r.lastTsMs, r.rows, r.rulSteps, r.padded ? 1 : 0].join(','));
      }
      await writeFile(path.join(o.outDir, 'rul.csv'), `${rulLines.join('\n')}\n`);
    }
    await writeFile(path.join(o.outDir, 'scores.csv'), `${lines.join('\n')}\n`);
    const ivLines = ['entity,start,end,rows,peak,peak_ts,top_features'];
    for (const iv of intervals) {
      const top = iv.topFeatures.map((f) => `${f.feature}:${f.share.toFixed(3)}`).join(';');
      ivLines.push([csvField(iv.entity), iv.start, iv.end, iv.rows, iv.peak, iv.peakTs, csvField(top)].join(','));
    }
    await writeFile(path.join(o.outDir, 'intervals.csv'), `${ivLines.join('\n')}\n`);
    await writeFile(path.join(o.outDir, 'intervals.json'), `${JSON.stringify(intervals, null, 2)}\n`);
    const summary: ScoreSummary = {
      model: `${meta.name}/${meta.version}`,
      family: meta.family,
      runtime: predictor.kind,
      column,
      threshold,
      rows: dataset.entities.reduce((s, e) => s + e.series.ts.length, 0),
      windows,
      alarms,
      intervals: intervals.length,
      unscoredLeadingRows: ttf ? 0 : meta.windowLength - 1,
      ...(remaining ? { remaining } : {}),
      cleaning: report,
      files: files.map((f) => path.join(o.outDir, f)),
    };
    await writeFile(path.join(o.outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    return { summary, intervals, remaining };
  } finally {
    await predictor.close();
  }
}
