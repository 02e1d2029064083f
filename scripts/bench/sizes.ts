/**
 * Every size a bench suite reads, in one table: its flag, what it sets, the full size and the smoke size. The
 * runner turns the table into command-line flags (`--help` lists them) and resolves each to the flag's value, else
 * the smoke or full size; suites read only the resolved `BenchSizes`. Smoke sizes take seconds: they prove a suite
 * still runs end to end (CI runs them), and their figures are not measurements.
 */
/** `count`: an integer >= 1; `seconds`: a number > 0; `counts`: a comma list of integers >= 1. */
export type SizeKind = 'count' | 'seconds' | 'counts';

export const SIZES = {
  ingestRows: { kind: 'count', help: 'gpu_metrics rows per ingest candidate', full: 200_000, smoke: 2_000 },
  trainWindows: { kind: 'count', help: 'windows in the train epoch', full: 2_048, smoke: 64 },
  scoreSeconds: { kind: 'seconds', help: 'seconds per raw ORT / tfjs batch size', full: 3, smoke: 0.2 },
  scoreHttpSeconds: {
    kind: 'seconds',
    help: 'seconds of HTTP load per windows-per-request setting',
    full: 10,
    smoke: 1,
  },
  scoreWindowsPerRequest: { kind: 'counts', help: 'windows per HTTP request', full: [1, 16, 64], smoke: [1] },
  queueJobs: { kind: 'count', help: 'jobs per queue throughput candidate', full: 2_000, smoke: 100 },
  queueLatencyReps: { kind: 'count', help: 'detection-latency repetitions', full: 5, smoke: 1 },
  forecastGpus: {
    kind: 'counts',
    help: 'simulated fleet sizes for the forecast run ',
    full: [256, 1_024, 4_096],
    smoke: [64],
  },
  healthGpus: { kind: 'count', help: 'GPUs in the health-API fleet (multiple of 32)', full: 4_096, smoke: 64 },
  healthMinutes: { kind: 'count', help: 'minutes of telemetry per GPU for the health bench', full: 30, smoke: 2 },
  healthReps: { kind: 'count', help: 'timed health-API calls per candidate (after 2 warm-ups)', full: 10, smoke: 2 },
  forecastReps: {
    kind: 'count',
    help: 'measured forecast runs per fleet size (after one warm-up run)',
    full: 3,
    smoke: 1,
  },
} as const satisfies Record<string, { kind: SizeKind; help: string; full: unknown; smoke: unknown }>;

export type SizeName = keyof typeof SIZES;

/** The sizes a suite runs at: numbers, or lists where the table's sizes are lists. */
export type BenchSizes = {
  readonly [K in SizeName]: (typeof SIZES)[K]['full'] extends number ? number : readonly number[];
};

/** `ingestRows` → `--ingest-rows`. */
export function flagOf(name: SizeName): string {
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Each size from `given` (parsed flags) where present, else the smoke or full size. */
export function resolveSizes(given: Partial<Record<SizeName, number | readonly number[]>>, smoke: boolean): BenchSizes {
  const out: Record<string, number | readonly number[]> = {};
  for (const name of Object.keys(SIZES) as SizeName[]) {
    out[name] = given[name] ?? (smoke ? SIZES[name].smoke : SIZES[name].full);
  }
  return out as BenchSizes;
}
