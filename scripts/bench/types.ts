import type { BenchSizes } from './sizes.js';

/** What a benchmark suite returns: rows compared side by side in one run, and how they were measured. */
export interface BenchReport {
  readonly suite: string;
  /** How it was measured: data, sizes, repetitions, warm-up. */
  readonly method: string;
  readonly rows: ReadonlyArray<Record<string, string | number>>;
  /** Ratios and verdicts against targets, e.g. { 'api/raw ratio': '0.62 (target >= 0.5)' }. */
  readonly summary?: Readonly<Record<string, string | number>>;
}

/** What the runner hands a suite: the sizes to run at, and whether they are the smoke sizes. */
export interface BenchContext {
  readonly sizes: BenchSizes;
  readonly smoke: boolean;
}

/** A module under scripts/bench/<suite>.ts. */
export interface BenchSuite {
  run(ctx: BenchContext): Promise<BenchReport>;
}
