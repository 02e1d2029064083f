/**
 * The training side's command-line entry points (scripts/train, scripts/evaluate, scripts/compare-shadow), run as
 * child processes: src/ never imports training code, and a child keeps a long training off the worker's event loop
 * (the job's lock keeps renewing). Compiled (`dist/scripts/<name>.js`, node alone: the built product and the
 * images) when this module is compiled, else the TypeScript source through tsx (a checkout).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { UnrecoverableError } from 'bullmq';
import { EXIT } from '../exit-codes.js';

export type TrainingEntry = 'train' | 'evaluate' | 'compare-shadow';

/** node's arguments for an entry point, resolved beside this module (src/queue → ../../scripts). */
export function entryCommand(entry: TrainingEntry, moduleUrl: string = import.meta.url): string[] {
  const compiled = moduleUrl.endsWith('.js');
  const script = fileURLToPath(new URL(`../../scripts/${entry}.${compiled ? 'js' : 'ts'}`, moduleUrl));
  return compiled ? [script] : ['--import', 'tsx', script];
}

export interface EntryRun {
  /** The last line the entry point printed on stdout (the evaluate and compare-shadow CLIs print one JSON line). */
  readonly lastLine: string;
}

/** An entry point found too little data for its range (`EXIT.noData`): nothing to retry. */
export class EntryNoData extends UnrecoverableError {}

/**
 * Run an entry point to its end, killed after `timeoutMs`. Bad arguments (`EXIT.usage`) cannot get better with a
 * retry: an UnrecoverableError; too little data (`EXIT.noData`) an EntryNoData; anything else is an Error the queue
 * retries with backoff.
 */
export function runEntry(
  entry: TrainingEntry,
  args: readonly string[],
  timeoutMs: number,
  log: { error(obj: object, msg: string): void },
): Promise<EntryRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...entryCommand(entry), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    let out = '';
    let tail = '';
    child.stdout.on('data', (b: Buffer) => {
      out = (out + b.toString('utf8')).slice(-1_000_000);
      tail = (tail + b.toString('utf8')).slice(-2_000);
    });
    child.stderr.on('data', (b: Buffer) => {
      tail = (tail + b.toString('utf8')).slice(-2_000);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === EXIT.ok) return resolve({ lastLine: out.trim().split('\n').at(-1) ?? '' });
      const lines = tail.trim().split('\n');
      if (code === EXIT.noData)
        return reject(new EntryNoData(lines.at(-1)?.replace(/^error: /, '') ?? `${entry}: no data`));
      log.error({ entry, code, signal, tail }, `${entry} failed`);
      const message = `${entry} exited with ${signal ?? code}: ${lines.slice(-3).join(' | ')}`;
      reject(code === EXIT.usage ? new UnrecoverableError(message) : new Error(message));
    });
  });
}

/** A JSON line whose nulls stood for NaN (JSON has none) back to numbers. */
export function numbersOf(record: Readonly<Record<string, unknown>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(record)) {
    if (v === null) out[k] = Number.NaN;
    else if (typeof v === 'number') out[k] = v;
  }
  return out;
}
