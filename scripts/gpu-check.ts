/**
 * gpu-check: measure TensorFlow.js training and ONNX Runtime scoring on every backend this host offers, and write
 * results.json + results.md. Runs from the air-gapped bundle (`./gpu-check`, see scripts/gpu-bundle.ts) or here
 * with `npx tsx scripts/gpu-check.ts [--out dir] [--windows n] ...` (`--help` lists every option).
 * Exit status: 0 when the check ran (a host without a GPU included), 3 when a GPU provider's outputs disagree with
 * the CPU provider's beyond the tolerance, 1 on an error.
 */
import { CommanderError } from 'commander';
import { parseOptions } from './gpu-check/options.js';
import { toMarkdown, writeResult } from './gpu-check/report.js';
import { runGpuCheck } from './gpu-check/run.js';

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  const result = await runGpuCheck(opts);
  const files = await writeResult(result, opts.outDir);
  process.stdout.write(toMarkdown(result));
  process.stderr.write(`[gpu-check] wrote ${files.json} and ${files.md}\n`);
  return result.agreement.some((a) => a.pass === false) ? 3 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof CommanderError) process.exit(err.exitCode); // --help (0) or a usage error, already printed
    process.stderr.write(`[gpu-check] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
