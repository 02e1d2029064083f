import { describe, expect, it } from 'vitest';
import type { FaultLabel, TelemetryRow, TelemetryTable } from '../../src/telemetry/catalogue.js';
import { faultPlan } from './faults.js';
import type { TelemetrySink } from './sinks.js';
import { streamLive } from './stream.js';

class MemorySink implements TelemetrySink {
  rows: Record<string, TelemetryRow[]> = { gpu_metrics: [], facility_metrics: [], job_metrics: [] };
  labels: FaultLabel[] = [];
  flushes = 0;
  async write(table: TelemetryTable, rows: readonly TelemetryRow[]) {
    this.rows[table].push(...rows);
  }
  async writeLabels(labels: readonly FaultLabel[]) {
    this.labels.push(...labels);
  }
  async flush() {
    this.flushes++;
  }
}

describe('streamLive', () => {
  it('paces steps by the wall clock, stamps rows with it and writes labels only once they have failed', async () => {
    const opts = { seed: 4, gpus: 32, start: Date.UTC(2026, 0, 1), hours: 6 };
    const sink = new MemorySink();
    let clock = 1_000_000;
    const ctl = new AbortController();
    // A fake clock that jumps ahead: every step is already due, so the test runs at full speed.
    const summary = await streamLive(sink, opts, { rate: 100, signal: ctl.signal, now: () => (clock += 10) });
    expect(summary.steps).toBe(2160);
    const stamps = [...new Set(sink.rows.gpu_metrics.map((r) => r.ts))];
    expect(stamps).toHaveLength(2160);
    expect(stamps[1] - stamps[0]).toBe(10); // 100 steps/s → 10 ms apart
    const plan = faultPlan(opts);
    expect(sink.labels).toHaveLength(plan.length);
    expect(sink.labels[0].failureTs - sink.labels[0].onsetTs).toBe((plan[0].failureTs - plan[0].onsetTs) / 1000);
    expect(sink.flushes).toBe(1);
  });

  it('stops cleanly and flushes when aborted', async () => {
    const sink = new MemorySink();
    const ctl = new AbortController();
    const summary = await streamLive(
      sink,
      { seed: 4, gpus: 8, start: Date.UTC(2026, 0, 1), hours: 1 },
      {
        rate: 50,
        signal: ctl.signal,
        progress: (done) => {
          if (done === 5) ctl.abort();
        },
      },
    );
    expect(summary.steps).toBe(5);
    expect(sink.rows.gpu_metrics).toHaveLength(40);
    expect(sink.flushes).toBe(1);
  });
});
