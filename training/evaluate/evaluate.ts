/**
 * Evaluate a trained model on a data source and write reports/<name>-<version>/{report.json, report.md, *.svg}.
 * The model runs as serving runs it (ONNX Runtime on model.onnx when present) on inputs built by src/features.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../src/errors.js';
import {
  type EntityResult,
  evaluateAnomaly,
  evaluateFault,
  evaluateTtf,
  type FamilyEvaluation,
} from './family-metrics.js';
import { modelOutputs } from './model-outputs.js';
import { lossPlot, prPlot, type TrainingHistory, timelinePlot, ttfScatter } from './plots.js';
import { loadPredictor } from './predictor.js';
import { type EvaluationReport, writeReport } from './report.js';
import { loadEvalInput, type SourceOptions } from './sources.js';

export interface EvaluateOptions extends SourceOptions {
  readonly modelDir: string;
  /** `sim`, `questdb` or `csv:<path>`. */
  readonly source: string;
  /** Reports root (default `reports`); the report goes to `<root>/<name>-<version>/`. */
  readonly reportsDir?: string;
  readonly runtime?: 'auto' | 'onnx' | 'tfjs';
  /** Alarm intervals closer than this many windows are merged (default 0). */
  readonly mergeGap?: number;
  /** Override the threshold stored in model.json. */
  readonly threshold?: number;
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

export async function evaluateModel(opts: EvaluateOptions): Promise<{ report: EvaluationReport; dir: string }> {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const predictor = await loadPredictor(opts.modelDir, opts.runtime ?? 'auto');
  try {
    const meta = predictor.meta;
    if (meta.family === 'throughput') {
      throw new AppError(
        'VALIDATION_FAILED',
        'evaluate supports anomaly, fault and ttf models; throughput is not supported yet',
        {
          family: meta.family,
        },
      );
    }
    log(`model ${meta.name} ${meta.version} (${meta.family}) on ${predictor.kind}; loading ${opts.source}`);
    const input = await loadEvalInput(opts.source, meta, opts);
    const results: EntityResult[] = [];
    for (const entity of input.entities) {
      if (entity.series.ts.length < meta.windowLength) continue;
      results.push({ entity, out: await modelOutputs(predictor, entity.series) });
    }
    if (results.length === 0) {
      throw new AppError('VALIDATION_FAILED', `no entity has the ${meta.windowLength} rows one window needs`, {
        window: meta.windowLength,
      });
    }
    log(`scored ${results.reduce((s, r) => s + r.out.values.length, 0)} windows of ${results.length} entities`);
    const threshold = opts.threshold ?? meta.threshold?.value ?? (meta.family === 'fault' ? 0.5 : undefined);
    let ev: FamilyEvaluation;
    if (meta.family === 'anomaly') {
      if (threshold === undefined)
        throw new AppError('VALIDATION_FAILED', 'model.json has no threshold; pass --threshold');
      ev = evaluateAnomaly(results, threshold, opts.mergeGap ?? 0);
    } else if (meta.family === 'fault') {
      ev = evaluateFault(results, threshold ?? 0.5, (meta.horizonSteps ?? 0) * meta.samplePeriodMs);
    } else {
      ev = evaluateTtf(results, meta.ttfCapSteps ?? Number.POSITIVE_INFINITY, meta.samplePeriodMs);
    }
    const plots: Record<string, string> = {};
    const history = await readHistory(opts.modelDir);
    if (history) plots['loss.svg'] = lossPlot(history);
    const timeline = timelinePlot(meta, results, threshold);
    if (timeline) plots['timeline.svg'] = timeline;
    const pr = prPlot(ev);
    if (pr) plots['precision-recall.svg'] = pr;
    const scatter = ttfScatter(ev);
    if (scatter) plots['ttf-scatter.svg'] = scatter;
    const report: EvaluationReport = {
      model: {
        name: meta.name,
        version: meta.version,
        family: meta.family,
        dir: opts.modelDir,
        runtime: predictor.kind,
      },
      source: {
        spec: input.source,
        rows: input.rows,
        entities: results.length,
        samplePeriodMs: input.samplePeriodMs,
        labelled: input.labelled,
        notes: input.notes,
      },
      threshold: opts.threshold !== undefined ? { value: opts.threshold, method: 'fixed', params: {} } : meta.threshold,
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
