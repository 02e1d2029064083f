/** The report's charts, as SVG strings keyed by file name. */
import type { ModelMetadata } from '../../src/features/model-metadata.js';
import type { EntityResult, FamilyEvaluation } from './family-metrics.js';
import { chart } from './svg.js';

export interface TrainingHistory {
  readonly loss: readonly number[];
  readonly valLoss: readonly number[];
}

export function lossPlot(h: TrainingHistory): string {
  const epochs = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  return chart(
    [
      { name: 'training loss', x: epochs(h.loss.length), y: h.loss },
      ...(h.valLoss.length > 0 ? [{ name: 'validation loss', x: epochs(h.valLoss.length), y: h.valLoss }] : []),
    ],
    { title: 'Loss per epoch', xLabel: 'epoch', yLabel: 'loss' },
  );
}

/** The entity to show over time: the one with the most labelled events, else the one with the highest value. */
function pickEntity(results: readonly EntityResult[]): EntityResult | undefined {
  let best: EntityResult | undefined;
  let key = Number.NEGATIVE_INFINITY;
  for (const r of results) {
    const peak = r.out.values.reduce((m, v) => Math.max(m, v), Number.NEGATIVE_INFINITY);
    const k =
      r.entity.events.length * 1e12 +
      (r.entity.failureTs !== undefined ? 1e11 : 0) +
      (Number.isFinite(peak) ? peak : 0);
    if (k > key) {
      key = k;
      best = r;
    }
  }
  return best;
}

export function timelinePlot(
  meta: ModelMetadata,
  results: readonly EntityResult[],
  threshold?: number,
): string | undefined {
  const r = pickEntity(results);
  if (!r) return undefined;
  const what =
    meta.family === 'anomaly'
      ? 'anomaly score'
      : meta.family === 'fault'
        ? 'fault probability'
        : 'predicted samples to failure';
  const spans = [...r.entity.events];
  if (r.entity.failureTs !== undefined && meta.family !== 'anomaly' && spans.length === 0) {
    const h = (meta.horizonSteps ?? 0) * meta.samplePeriodMs;
    if (h > 0) spans.push({ start: r.entity.failureTs - h, end: r.entity.failureTs });
  }
  const series = [{ name: what, x: r.out.endTs, y: r.out.values }];
  if (meta.family === 'ttf' && r.entity.failureTs !== undefined) {
    const cap = meta.ttfCapSteps ?? Number.POSITIVE_INFINITY;
    const truth = Array.from(r.out.endTs, (t) => Math.min((r.entity.failureTs! - t) / meta.samplePeriodMs, cap));
    series.push({ name: 'true samples to failure (capped)', x: r.out.endTs, y: Float64Array.from(truth) });
  }
  return chart(series, {
    title: `${what} over time: ${r.entity.entity}`,
    xLabel: 'time (UTC); shaded: labelled fault spans',
    yLabel: what,
    xTime: true,
    spans,
    hlines:
      threshold !== undefined && meta.family !== 'ttf'
        ? [{ y: threshold, label: `threshold ${threshold.toPrecision(3)}` }]
        : [],
  });
}

export function prPlot(ev: FamilyEvaluation): string | undefined {
  if (!ev.pr || ev.pr.recall.length === 0) return undefined;
  return chart(
    [{ name: `PR-AUC ${(ev.metrics.prAuc ?? Number.NaN).toFixed(3)}`, x: ev.pr.recall, y: ev.pr.precision }],
    {
      title: 'Precision-recall curve',
      xLabel: 'recall',
      yLabel: 'precision',
      xDomain: [0, 1],
      yDomain: [0, 1.02],
    },
  );
}

/** Reliability diagram: observed frequency per predicted-probability bin against the diagonal (perfect calibration). */
export function reliabilityPlot(ev: FamilyEvaluation): string | undefined {
  const bins = ev.reliability;
  if (!bins || bins.length === 0) return undefined;
  const ece = ev.metrics.ece;
  return chart(
    [
      {
        name: `observed (ECE ${Number.isFinite(ece) ? ece.toFixed(4) : 'n/a'}, Brier ${(ev.metrics.brier ?? Number.NaN).toFixed(4)})`,
        x: bins.map((b) => b.predicted),
        y: bins.map((b) => b.observed),
        dots: true,
      },
    ],
    {
      title: 'Reliability diagram (10 bins): is the probability a probability?',
      xLabel: 'predicted probability of failure within the horizon',
      yLabel: 'observed frequency',
      xDomain: [0, 1],
      yDomain: [0, 1],
      diagonal: true,
    },
  );
}

export function scatterPlot(ev: FamilyEvaluation): string | undefined {
  const sc = ev.scatter;
  if (!sc || sc.truth.length === 0) return undefined;
  // Thin by stride rather than min/max: a scatter wants a representative sample.
  const step = Math.max(1, Math.ceil(sc.truth.length / 1500));
  const idx = Array.from({ length: Math.ceil(sc.truth.length / step) }, (_, i) => i * step);
  return chart(
    [
      {
        name: sc.truth.length > 1500 ? `every ${step}th point` : 'points',
        x: idx.map((i) => sc.truth[i]),
        y: idx.map((i) => sc.pred[i]),
        dots: true,
      },
    ],
    {
      title: `Predicted vs true ${sc.what}`,
      xLabel: `true ${sc.what}`,
      yLabel: `predicted ${sc.what}`,
      diagonal: true,
      maxPoints: 4000,
    },
  );
}
