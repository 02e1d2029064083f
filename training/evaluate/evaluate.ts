/**
 * Evaluate a trained model on a data source and write reports/<name>-<version>/{report.json, report.md, *.svg}.
 * The model runs as serving runs it (ONNX Runtime on model.onnx when present) on inputs built by src/features.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../src/errors.js';
import type { ThresholdChoice } from '../../src/features/model-metadata.js';
import { detectorFor } from '../../src/inference/detection/detector.js';
import { faultAlarmThreshold } from '../../src/inference/model-outputs.js';
import {
  type EntityResult,
  evaluateAnomaly,
  evaluateFault,
  evaluateTtf,
  type FamilyEvaluation,
  joinSegments,
} from './family-metrics.js';
import { modelOutputs } from './model-outputs.js';
import { lossPlot, prPlot, reliabilityPlot, scatterPlot, type TrainingHistory, timelinePlot } from './plots.js';
import { loadPredictor, type Predictor } from './predictor.js';
import { type EvaluationReport, writeReport } from './report.js';
import { loadEvalInput, type SourceOptions } from './sources.js';
import { evaluateThroughput, loadJobRows } from './throughput-eval.js';
import { loadTrueRul } from './true-rul.js';

export interface EvaluateOptions extends SourceOptions {
  readonly modelDir: string;
  /** `sim`, `questdb` or `csv:<path>`. */
  readonly source: string;
  /** Reports root (default `reports`); the report goes to `<root>/<name>-<version>/`. */
  readonly reportsDir?: string;
  readonly runtime?: 'auto' | 'onnx' | 'tfjs';
  /** Alarm intervals at most this many rows apart are merged (default: model.json's detection, else 0). */
  readonly mergeGap?: number;
  /** Override the threshold stored in model.json. */
  readonly threshold?: number;
  /** CSV, ttf models: file of true RUL values for entities that stop before failure (true-rul.ts). */
  readonly trueRulFile?: string;
  readonly log?: (message: string) => void;
}

async function readHistory(dir: string): Promise<TrainingHistory | undefined> {
  try {
    const h = JSON.parse(await readFile(path.join(dir, 'history.json'), 'utf8')) as Partial<TrainingHistory>;
    return Array.isArray(h.loss) ? { loss: h.loss, valLoss: Array.isArray(h.valLoss) ? h.valLoss : [] } : undefined;
  } catch {
    return undefined;
  }
}

interface Evaluated {
  readonly ev: FamilyEvaluation;
  readonly source: EvaluationReport['source'];
  readonly plots: Record<string, string>;
  readonly threshold?: number;
}

async function windowModel(p: Predictor, opts: EvaluateOptions, log: (m: string) => void): Promise<Evaluated> {
  const meta = p.meta;
  if (opts.trueRulFile && (meta.family !== 'ttf' || !opts.source.startsWith('csv:'))) {
    throw new AppError('VALIDATION_FAILED', '--true-rul needs a ttf model and a csv: source');
  }
  const trueRul = opts.trueRulFile ? await loadTrueRul(opts.trueRulFile) : undefined;
  const input = await loadEvalInput(opts.source, meta, { ...opts, trueRul });
  const results: EntityResult[] = [];
  const short: string[] = [];
  for (const entity of input.entities) {
    if (entity.series.ts.length < meta.windowLength) {
      short.push(entity.entity);
      continue;
    }
    results.push({ entity, out: await modelOutputs(p, entity.series) });
  }
  const notes = [...input.notes];
  if (short.length > 0) {
    notes.push(
      `${short.length} entit${short.length === 1 ? 'y' : 'ies'} shorter than the ${meta.windowLength}-row window not evaluated: ${short.slice(0, 5).join(', ')}`,
    );
    log(notes[notes.length - 1]);
  }
  if (results.length === 0) {
    throw new AppError('VALIDATION_FAILED', `no entity has the ${meta.windowLength} rows one window needs`, {
      window: meta.windowLength,
    });
  }
  log(`scored ${results.reduce((s, r) => s + r.out.values.length, 0)} windows of ${results.length} entities`);
  // The threshold every caller reports (src/inference/model-outputs.ts): for a calibrated fault model, model.json's
  // threshold mapped onto the probability scale the values are on.
  const modelThreshold = meta.family === 'fault' ? faultAlarmThreshold(meta)?.value : meta.threshold?.value;
  const threshold = opts.threshold ?? modelThreshold ?? (meta.family === 'fault' ? 0.5 : undefined);
  let ev: FamilyEvaluation;
  if (meta.family === 'anomaly') {
    if (threshold === undefined)
      throw new AppError('VALIDATION_FAILED', 'model.json has no threshold; pass --threshold');
    const detector = detectorFor(meta, { threshold: opts.threshold, mergeGap: opts.mergeGap });
    // Over each entity's segments joined, as `npm run score` detects (joinSegments).
    const joined = joinSegments(results).map((j) => j.result);
    ev = evaluateAnomaly(joined, threshold, detector);
  } else if (meta.family === 'fault') {
    ev = evaluateFault(results, threshold ?? 0.5, (meta.horizonSteps ?? 0) * meta.samplePeriodMs);
  } else {
    ev = evaluateTtf(results, meta.ttfCapSteps ?? Number.POSITIVE_INFINITY, meta.samplePeriodMs);
  }
  const plots: Record<string, string> = {};
  const timeline = timelinePlot(meta, results, threshold);
  if (timeline) plots['timeline.svg'] = timeline;
  const source = {
    spec: input.source,
    rows: input.rows,
    entities: results.length,
    samplePeriodMs: input.samplePeriodMs,
    labelled: input.labelled,
    notes,
    ...(input.columns ? { columns: input.columns } : {}),
  };
  return { ev, source, plots, threshold };
}

async function throughputModel(p: Predictor, opts: EvaluateOptions): Promise<Evaluated> {
  const rows = await loadJobRows(opts.source, opts);
  const ev = await evaluateThroughput(p, rows);
  const notes = [`${rows.length - ev.rows} of ${rows.length} job rows skipped (no throughput or a missing input)`];
  return {
    ev,
    source: {
      spec: opts.source,
      rows: ev.rows,
      entities: 0,
      samplePeriodMs: p.meta.samplePeriodMs,
      labelled: true,
      notes,
    },
    plots: {},
  };
}

export async function evaluateModel(opts: EvaluateOptions): Promise<{ report: EvaluationReport; dir: string }> {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const predictor = await loadPredictor(opts.modelDir, opts.runtime ?? 'auto');
  try {
    const meta = predictor.meta;
    log(`model ${meta.name} ${meta.version} (${meta.family}) on ${predictor.kind}; loading ${opts.source}`);
    const {
      ev,
      source,
      plots: own,
      threshold,
    } = meta.family === 'throughput' ? await throughputModel(predictor, opts) : await windowModel(predictor, opts, log);
    const plots: Record<string, string> = {};
    const history = await readHistory(opts.modelDir);
    if (history) plots['loss.svg'] = lossPlot(history);
    Object.assign(plots, own);
    const pr = prPlot(ev);
    if (pr) plots['precision-recall.svg'] = pr;
    const reliability = reliabilityPlot(ev);
    if (reliability) plots['reliability.svg'] = reliability;
    const scatter = scatterPlot(ev);
    if (scatter) plots[`${meta.family}-scatter.svg`] = scatter;
    const thresholdChoice: ThresholdChoice | undefined =
      opts.threshold !== undefined
        ? { value: opts.threshold, method: 'fixed', params: {} }
        : (meta.threshold ??
          (threshold !== undefined ? { value: threshold, method: 'fixed', params: { default: 1 } } : undefined));
    const report: EvaluationReport = {
      model: {
        name: meta.name,
        version: meta.version,
        family: meta.family,
        dir: opts.modelDir,
        runtime: predictor.kind,
      },
      source,
      threshold: thresholdChoice,
      metrics: ev.metrics,
      detections: ev.detections.slice(0, 100).map((d) => ({
        entity: d.entity,
        start: new Date(d.start).toISOString(),
        end: new Date(d.end).toISOString(),
        peak: d.peak,
      })),
      trainingMetrics: meta.metrics ?? {},
      plots: Object.keys(plots),
      createdAt: new Date().toISOString(),
      seconds: (performance.now() - started) / 1000,
    };
    const dir = path.join(opts.reportsDir ?? 'reports', `${meta.name}-${meta.version}`);
    await writeReport(dir, report, plots);
    log(`report written to ${dir}`);
    return { report, dir };
  } finally {
    await predictor.close();
  }
}
