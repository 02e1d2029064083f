/**
 * How strongly a fault shows at a moment: its phase and a severity that grows from 0 at onset to 1 at failure.
 * Severity is mostly quadratic in elapsed fraction x (s = 0.15 x + 0.85 x²): subtle in the first minutes, plain
 * well before the end (s ≈ 0.3 at half-way), so a predictor has lead time and a detector has a clear signal.
 */
import type { PlannedFault } from './faults.js';

/** `after`: a failed GPU drained until repair, or a rack recovering after a facility failure. */
export type Phase = 'none' | 'symptom' | 'after';

export function severity(x: number): number {
  const c = Math.max(0, Math.min(1, x));
  return 0.15 * c + 0.85 * c * c;
}

/** Elapsed fraction of the symptom phase at `ts` (0 at onset, 1 at failure). */
export function progress(fault: PlannedFault, ts: number): number {
  const { onsetTs, failureTs } = fault.label;
  return (ts - onsetTs) / (failureTs - onsetTs);
}

export function phaseAt(fault: PlannedFault | undefined, ts: number): Phase {
  if (!fault || ts < fault.label.onsetTs || ts >= fault.until) return 'none';
  return ts < fault.label.failureTs ? 'symptom' : 'after';
}

/**
 * Cursor over one device's faults in time order: `at(ts)` returns the fault whose [onset, until) holds `ts`.
 * Calls must come with non-decreasing `ts`, which makes the lookup O(1) amortised.
 */
export class FaultCursor {
  private i = 0;
  constructor(private readonly faults: readonly PlannedFault[]) {}

  at(ts: number): PlannedFault | undefined {
    while (this.i < this.faults.length && this.faults[this.i].until <= ts) this.i++;
    const f = this.faults[this.i];
    return f && f.label.onsetTs <= ts ? f : undefined;
  }

  /** True once when `ts` passes the end of a fault's after-phase (the device was repaired). */
  repairedSince(ts: number, prevTs: number): boolean {
    for (const f of this.faults) if (f.until > prevTs && f.until <= ts) return true;
    return false;
  }
}
