/**
 * ONNX Runtime scoring throughput per execution provider and batch size on the same windows, through the
 * product's session code (`openSession`: provider choice, tuned options, warm-up; `runSession`: one batch), and
 * how far each GPU provider's outputs are from the CPU provider's on the largest batch.
 */
import { AppError } from '../../src/errors.js';
import { type OpenedSession, openSession, runSession } from '../../src/inference/ort-session.js';
import { type CheckLog, secondsLeft } from './check-log.js';
import { batchOf, type CheckWindows } from './data.js';
import type { GpuCheckOptions } from './options.js';
import { firstLine } from './train-bench.js';

export interface ScoreMeasurement {
  readonly batch: number;
  readonly runs: number;
  readonly seconds: number;
  readonly windowsPerSecond: number;
  readonly msPerBatch: number;
}

export interface ProviderResult {
  readonly ep: string;
  readonly status: 'ok' | 'unavailable' | 'failed' | 'skipped';
  readonly reason?: string;
  readonly loadMs?: number;
  readonly measurements: readonly ScoreMeasurement[];
}

export interface Agreement {
  readonly ep: string;
  /** Largest |ep - cpu| over every output element of the largest batch; undefined when not comparable. */
  readonly maxAbsDiff?: number;
  readonly tolerance: number;
  readonly pass?: boolean;
  readonly reason?: string;
}

type ScoreOptions = Pick<
  GpuCheckOptions,
  'providers' | 'batchSizes' | 'tolerance' | 'minScoreSeconds' | 'intraOpThreads'
>;

const MAX_RUNS = 10_000;

/** Time `batch`-window runs for at least `minSeconds` and 3 runs, after one untimed run (shape-specific warm-up). */
async function measure(s: OpenedSession, input: Float32Array, dims: number[], minSeconds: number) {
  const runOnce = () => runSession(s, { data: input.slice().buffer, dims });
  const outputs = await runOnce();
  let runs = 0;
  const started = performance.now();
  let elapsed = 0;
  while (runs < 3 || (elapsed < minSeconds && runs < MAX_RUNS)) {
    await runOnce();
    runs++;
    elapsed = (performance.now() - started) / 1000;
  }
  const batch = dims[0];
  const m: ScoreMeasurement = {
    batch,
    runs,
    seconds: elapsed,
    windowsPerSecond: (batch * runs) / elapsed,
    msPerBatch: (elapsed * 1000) / runs,
  };
  return { m, outputs };
}

function flatOutputs(outputs: Record<string, { data: ArrayBuffer }>): Float32Array[] {
  return Object.keys(outputs)
    .sort()
    .map((k) => new Float32Array(outputs[k].data));
}

export function maxAbsDiff(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  if (a.length !== b.length) throw new Error(`output count differs: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i], b[i]];
    if (x.length !== y.length) throw new Error(`output ${i} length differs: ${x.length} vs ${y.length}`);
    for (let j = 0; j < x.length; j++) {
      const d = Math.abs(x[j] - y[j]);
      if (Number.isNaN(d)) return Number.NaN; // NaN on either side fails any tolerance
      if (d > max) max = d;
    }
  }
  return max;
}

export async function benchScoring(
  modelPath: string,
  w: CheckWindows,
  opts: ScoreOptions,
  log: CheckLog,
  deadline: number,
): Promise<{ providers: ProviderResult[]; agreement: Agreement[] }> {
  const providers: ProviderResult[] = [];
  const largest = opts.batchSizes[opts.batchSizes.length - 1];
  const reference = new Map<string, Float32Array[]>();
  for (const ep of opts.providers) {
    if (secondsLeft(deadline) < 5) {
      providers.push({ ep, status: 'skipped', reason: 'time budget spent', measurements: [] });
      continue;
    }
    let s: OpenedSession;
    try {
      s = await openSession(modelPath, [ep], { intraOpThreads: opts.intraOpThreads });
    } catch (err) {
      const failures = err instanceof AppError ? (err.details as { failures?: { reason: string }[] })?.failures : [];
      const reason = failures?.[0]?.reason ?? firstLine(err);
      const status = err instanceof AppError && err.code === 'BACKEND_UNAVAILABLE' ? 'unavailable' : 'failed';
      log.info({ ep, reason }, 'execution provider unavailable');
      providers.push({ ep, status, reason, measurements: [] });
      continue;
    }
    const measurements: ScoreMeasurement[] = [];
    try {
      for (const batch of opts.batchSizes) {
        const { m, outputs } = await measure(s, batchOf(w, batch), [batch, w.length, w.width], opts.minScoreSeconds);
        measurements.push(m);
        if (batch === largest) reference.set(ep, flatOutputs(outputs));
        log.info({ ep, ...m }, 'scoring measured');
      }
      providers.push({ ep, status: 'ok', loadMs: s.info.loadMs, measurements });
    } catch (err) {
      providers.push({ ep, status: 'failed', reason: firstLine(err), measurements });
    } finally {
      await s.session.release();
    }
  }
  return { providers, agreement: agreementWithCpu(opts.providers, reference, opts.tolerance) };
}

function agreementWithCpu(
  providers: readonly string[],
  outputs: ReadonlyMap<string, Float32Array[]>,
  tolerance: number,
): Agreement[] {
  const cpu = outputs.get('cpu');
  return providers
    .filter((ep) => ep !== 'cpu')
    .map((ep) => {
      const gpu = outputs.get(ep);
      if (!gpu || !cpu) return { ep, tolerance, reason: `${gpu ? 'cpu' : ep} produced no outputs` };
      const d = maxAbsDiff(gpu, cpu);
      return { ep, maxAbsDiff: d, tolerance, pass: d <= tolerance };
    });
}
