/**
 * Targets for the fault predictor and the time-to-failure model, from window end times and failure moments.
 */

/**
 * Fault within horizon: 1 when the entity fails in (endTs, endTs + horizonMs], else 0. `failures` ascending.
 * Windows that already contain the failure are not this function's concern: they hold "down" rows and are
 * dropped before labelling.
 */
export function faultWithinHorizon(endTs: number, failures: readonly number[], horizonMs: number): 0 | 1 {
  for (const f of failures) {
    if (f > endTs + horizonMs) return 0;
    if (f > endTs) return 1;
  }
  return 0;
}

/**
 * Samples until the entity's next failure after `endTs`; `undefined` when none is seen within `capSteps`
 * before the data ends (right-censored: we cannot say whether it would have failed inside the cap), and
 * `capSteps` when the data shows a healthy stretch of at least the cap.
 */
export function stepsToFailure(
  endTs: number,
  failures: readonly number[],
  samplePeriodMs: number,
  capSteps: number,
  dataEndTs: number,
): number | undefined {
  const next = failures.find((f) => f > endTs);
  if (next !== undefined) return Math.min((next - endTs) / samplePeriodMs, capSteps);
  return (dataEndTs - endTs) / samplePeriodMs >= capSteps ? capSteps : undefined;
}

/** Balanced class weights {0: w0, 1: w1} from binary labels, the positive weight capped (rare positives). */
export function balancedClassWeights(y: ArrayLike<number>, maxWeight = 50): Record<number, number> {
  let pos = 0;
  for (let i = 0; i < y.length; i++) if (y[i] > 0.5) pos++;
  const neg = y.length - pos;
  if (pos === 0 || neg === 0) return { 0: 1, 1: 1 };
  return { 0: 1, 1: Math.min(maxWeight, neg / pos) };
}
