/**
 * `npm run bench -- [suite...|all] [--smoke] [size flags]`: runs benchmark suites from scripts/bench/<suite>.ts
 * (all when none is named). Each suite compares its candidates side by side in one run and returns rows; the runner
 * prints a table and writes bench-results/<suite>-<timestamp>.{json,md} with the machine, method and sizes, so
 * results are reproducible and comparable. Performance claims come from here, never from timed tests.
 * `--smoke` runs every suite at a size of seconds (CI does, so a change that breaks a bench fails CI); a size
 * flag overrides one size in either mode. Exits 1 when any suite failed (each failure printed with its stack).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { runSuites, SUITES, type SuiteName } from './bench/runner.js';
import { flagOf, resolveSizes, SIZES, type SizeName } from './bench/sizes.js';

function seconds(raw: string): number {
  const n = Number(raw);
  if (!(Number.isFinite(n) && n > 0)) throw new InvalidArgumentError('must be a number > 0');
  return n;
}

function count(raw: string): number {
  const n = Number(raw);
  if (!(Number.isInteger(n) && n > 0)) throw new InvalidArgumentError('must be an integer > 0');
  return n;
}

function positiveIntegers(raw: string): number[] {
  const list = raw.split(',').map(Number);
  if (!list.every((n) => Number.isInteger(n) && n > 0)) {
    throw new InvalidArgumentError('must be a comma list of integers > 0');
  }
  return list;
}

async function main() {
  const cli = new Command('bench')
    .description(`benchmark suites: ${SUITES.join(', ')} (all when none or "all" is named)`)
    .argument('[suites...]', 'suites to run', [])
    .option('--smoke', 'run at smoke sizes (seconds per suite; checks the suites run, figures are not measurements)')
    .option('--out <dir>', 'where reports are written', 'bench-results');
  for (const name of Object.keys(SIZES) as SizeName[]) {
    const s = SIZES[name];
    const list = s.kind === 'counts';
    const show = (v: number | readonly number[]) => (Array.isArray(v) ? v.join(',') : String(v));
    const option = new Option(
      `${flagOf(name)} <${list ? 'list' : 'n'}>`,
      `${s.help} (full ${show(s.full)}, smoke ${show(s.smoke)})`,
    );
    if (list) option.argParser(positiveIntegers);
    else option.argParser(s.kind === 'seconds' ? seconds : count);
    cli.addOption(option);
  }
  cli.parse();
  const named = cli.processedArgs[0] as string[];
  const flags = cli.opts<{ smoke?: boolean; out: string } & Partial<Record<SizeName, number | number[]>>>();
  const unknown = named.filter((s) => s !== 'all' && !(SUITES as string[]).includes(s));
  if (unknown.length > 0) {
    console.error(`unknown bench suite "${unknown.join('", "')}"; choose from ${SUITES.join(', ')}`);
    process.exit(2);
  }
  const suites = (named.length === 0 || named.includes('all') ? [...SUITES] : named) as SuiteName[];
  const smoke = flags.smoke === true;
  const failed = await runSuites(suites, { smoke, sizes: resolveSizes(flags, smoke) }, { outDir: flags.out });
  if (failed.length > 0) console.error(`bench: ${failed.length} suite(s) failed: ${failed.join(', ')}`);
  // Exit explicitly: a failed suite may leave connections or worker threads open that would keep us alive.
  process.exit(failed.length > 0 ? 1 : 0);
}

main().catch((err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
