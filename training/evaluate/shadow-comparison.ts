/**
 * The shadow comparison: champion and shadow judged on what they really output in production, not on a replay.
 * Input: the paired rows every forecast wrote to `shadow_scores` (src/forecast/shadow.ts) from the shadow's start,
 * and the labels of that period (`fault_labels`: operators, RMA, tickets, XIDs, confirmed outcomes; caught
 * degradations included). Output, for each model: event F1 and false alarms per device-day; and the labelled events
 * the rows cover, which the promotion rule needs (src/queue/retrain-decision.ts).
 *
 * Events are the label spans that concern a device (training/datasets/label-spans.ts, the rule training and
 * evaluation use), widened backwards by the horizon for a fault predictor (an alarm up to H before the onset saw it
 * coming). An alarm episode is a run of consecutive alarming rows of a device; it is a true detection when it
 * overlaps an event, else a false alarm (training/metrics/anomaly.ts `eventMetrics`). Device-days: each device's
 * observed span (first to last row, plus one forecast period).
 */
import type { TelemetryReader } from '../../src/telemetry/reader.js';
import { labelSpansFor } from '../datasets/label-spans.js';
import { eventMetrics } from '../metrics/anomaly.js';
import type { Interval } from '../metrics/intervals.js';

const DAY_MS = 86_400_000;

export interface ShadowRow {
  readonly ts: number;
  readonly device: string;
  readonly rack: string;
  readonly championAlarm: boolean;
  readonly shadowAlarm: boolean;
}

export interface ModelFigures {
  readonly eventF1: number;
  readonly eventPrecision: number;
  readonly eventRecall: number;
  readonly alarms: number;
  readonly falseAlarms: number;
  readonly falseAlarmsPerDeviceDay: number;
  /** Labelled events in the rows both models scored (the same for both). */
  readonly labelledEvents: number;
  readonly deviceDays: number;
}

export interface ShadowComparison {
  readonly model: string;
  readonly championVersion: string;
  readonly shadowVersion: string;
  readonly from: number;
  readonly to: number;
  readonly rows: number;
  readonly devices: number;
  readonly champion: ModelFigures;
  readonly shadow: ModelFigures;
}

/** Runs of consecutive alarming rows, as [first ts, last ts]. */
function episodes(ts: readonly number[], alarm: readonly boolean[]): Interval[] {
  const out: Interval[] = [];
  let start: number | undefined;
  for (let i = 0; i < ts.length; i++) {
    if (alarm[i] && start === undefined) start = ts[i];
    if (!alarm[i] && start !== undefined) {
      out.push({ start, end: ts[i - 1] });
      start = undefined;
    }
  }
  if (start !== undefined) out.push({ start, end: ts[ts.length - 1] });
  return out;
}

function medianGap(ts: readonly number[]): number {
  if (ts.length < 2) return 0;
  const gaps = ts.slice(1).map((t, i) => t - ts[i]);
  gaps.sort((a, b) => a - b);
  return gaps[gaps.length >> 1];
}

/** Pure: figures for both models from paired rows (ascending ts per device) and the period's labels. */
export function compareShadowRows(
  rows: readonly ShadowRow[],
  labels: Parameters<typeof labelSpansFor>[2],
  horizonMs = 0,
): { champion: ModelFigures; shadow: ModelFigures; devices: number } {
  const byDevice = new Map<string, ShadowRow[]>();
  for (const r of rows) {
    const list = byDevice.get(r.device) ?? [];
    list.push(r);
    byDevice.set(r.device, list);
  }
  const totals = {
    champion: { found: 0, alarms: 0, falseAlarms: 0 },
    shadow: { found: 0, alarms: 0, falseAlarms: 0 },
  };
  let events = 0;
  let observedMs = 0;
  for (const [device, list] of byDevice) {
    list.sort((a, b) => a.ts - b.ts);
    const ts = list.map((r) => r.ts);
    const first = ts[0];
    const last = ts[ts.length - 1];
    observedMs += last - first + medianGap(ts);
    const truth = labelSpansFor(device, list[0].rack, labels)
      .map((s) => ({ start: s.start - horizonMs, end: s.end }))
      .filter((s) => s.start <= last && s.end >= first);
    events += truth.length;
    for (const side of ['champion', 'shadow'] as const) {
      const m = eventMetrics(
        episodes(
          ts,
          list.map((r) => (side === 'champion' ? r.championAlarm : r.shadowAlarm)),
        ),
        truth,
      );
      totals[side].found += m.truePositives;
      totals[side].alarms += m.detections;
      totals[side].falseAlarms += m.falsePositives;
    }
  }
  const deviceDays = observedMs / DAY_MS;
  const figures = (t: { found: number; alarms: number; falseAlarms: number }): ModelFigures => {
    // The conventions of eventMetrics: no alarm claims nothing wrongly (precision 1), no event is nothing missed.
    const precision = t.alarms > 0 ? (t.alarms - t.falseAlarms) / t.alarms : 1;
    const recall = events > 0 ? t.found / events : 1;
    return {
      eventF1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0,
      eventPrecision: precision,
      eventRecall: recall,
      alarms: t.alarms,
      falseAlarms: t.falseAlarms,
      falseAlarmsPerDeviceDay: deviceDays > 0 ? t.falseAlarms / deviceDays : Number.NaN,
      labelledEvents: events,
      deviceDays,
    };
  };
  return { champion: figures(totals.champion), shadow: figures(totals.shadow), devices: byDevice.size };
}

interface StoredRow {
  ts: number | string;
  device: string;
  rack: string | null;
  champion_version: string;
  champion_alarm: number | string;
  shadow_alarm: number | string;
}

/** Read the shadow period's rows and labels from QuestDB, and compare. */
export async function compareShadow(
  reader: TelemetryReader,
  q: { model: string; shadowVersion: string; from: number; to: number; horizonMs?: number; maxRows?: number },
): Promise<ShadowComparison> {
  const limit = q.maxRows ?? 5_000_000;
  const stored = await reader.query<StoredRow>(
    'SELECT ts, device, rack, champion_version, champion_alarm, shadow_alarm FROM shadow_scores ' +
      `WHERE model = $1 AND shadow_version = $2 AND ts >= $3 AND ts < $4 ORDER BY ts LIMIT ${Math.trunc(limit)}`,
    [q.model, q.shadowVersion, new Date(q.from).toISOString(), new Date(q.to).toISOString()],
  );
  const rows = stored.map((r) => ({
    ts: typeof r.ts === 'number' ? r.ts : new Date(r.ts).getTime(),
    device: r.device,
    rack: r.rack ?? '',
    championAlarm: Number(r.champion_alarm) === 1,
    shadowAlarm: Number(r.shadow_alarm) === 1,
  }));
  const labels = await reader.faultLabels({ from: q.from, to: q.to });
  const versions = [...new Set(stored.map((r) => r.champion_version))];
  return {
    model: q.model,
    // A promote during the shadow period makes the "champion" side a mix; the record names every version.
    championVersion: versions.join(','),
    shadowVersion: q.shadowVersion,
    from: q.from,
    to: q.to,
    rows: rows.length,
    ...compareShadowRows(rows, labels, q.horizonMs ?? 0),
  };
}
