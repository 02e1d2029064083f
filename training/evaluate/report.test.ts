import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type EvaluationReport, reportMarkdown, writeReport } from './report.js';

const report: EvaluationReport = {
  model: { name: 'ae', version: 'v1', family: 'anomaly', dir: 'models/ae/v1', runtime: 'onnx' },
  source: {
    spec: 'csv:x.csv',
    rows: 100,
    entities: 2,
    samplePeriodMs: 10_000,
    labelled: true,
    notes: ['dropped 1 duplicate'],
    columns: [
      { name: 's_2', count: 98, missing: 2, min: 641.2, max: 644.5, constant: false },
      { name: 's_1', count: 100, missing: 0, min: 518.67, max: 518.67, constant: true },
    ],
  },
  threshold: { value: 1.25, method: 'pot', params: {}, candidates: { percentile: 1.1, pot: 1.25 } },
  metrics: { eventRecall: 0.75, prAuc: Number.NaN },
  detections: [{ entity: 'a', start: '2026-01-01T00:00:00.000Z', end: '2026-01-01T00:01:00.000Z', peak: 3.14321 }],
  trainingMetrics: { valLoss: 0.1 },
  plots: ['timeline.svg'],
  createdAt: '2026-01-01T00:00:00.000Z',
  seconds: 1.5,
};

describe('evaluation report', () => {
  it('renders metrics, threshold candidates, notes, detections and plot links in markdown', () => {
    const md = reportMarkdown(report);
    expect(md).toContain('# Evaluation: ae v1 (anomaly)');
    expect(md).toContain('threshold: 1.25 (pot; candidates percentile 1.1, pot 1.25)');
    expect(md).toContain('| eventRecall | 0.75 |');
    expect(md).toContain('| prAuc | NaN |');
    expect(md).toContain('note: dropped 1 duplicate');
    expect(md).toContain('| a | 2026-01-01T00:00:00.000Z | 2026-01-01T00:01:00.000Z | 3.143 |');
    expect(md).toContain('![timeline.svg](timeline.svg)');
    expect(md).toContain('## Columns as read');
    expect(md).toContain('| s_2 | 98 | 2 | 641.2 | 644.5 |  |');
    expect(md).toContain('| s_1 | 100 | 0 | 518.67 | 518.67 | yes |');
  });

  it('writes JSON (non-finite numbers as null), markdown and the plots', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'report-'));
    try {
      await writeReport(dir, report, { 'timeline.svg': '<svg></svg>\n' });
      const json = JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')) as EvaluationReport;
      expect(json.metrics).toEqual({ eventRecall: 0.75, prAuc: null });
      expect(await readFile(path.join(dir, 'timeline.svg'), 'utf8')).toBe('<svg></svg>\n');
      expect(await readFile(path.join(dir, 'report.md'), 'utf8')).toBe(reportMarkdown(report));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
