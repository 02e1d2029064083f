/**
 * `node dist/scripts/compare-shadow.js --model <name> --shadow-version <v> --from <ms> --to <ms> [--horizon-ms <ms>]`
 * (or through tsx): the shadow comparison (training/evaluate/shadow-comparison.ts) as one JSON line on stdout. The
 * retrain role (src/queue/retrain-worker.ts) spawns it, so src/ runs no training code.
 * Exit codes: 0 ok, 2 bad arguments, 1 failure.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { TelemetryReader } from '../src/telemetry/reader.js';
import { runMain, usageExit } from '../training/cli/run-main.js';
import { compareShadow } from '../training/evaluate/shadow-comparison.js';

async function main(argv: string[]): Promise<number> {
  let q: Parameters<typeof compareShadow>[1];
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        model: { type: 'string' },
        'shadow-version': { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        'horizon-ms': { type: 'string', default: '0' },
      },
    });
    const num = (name: string, v: string | undefined) => {
      const n = Number(v);
      if (v === undefined || !Number.isFinite(n)) throw new Error(`--${name} must be a number of epoch ms`);
      return n;
    };
    if (!values.model || !values['shadow-version']) throw new Error('--model and --shadow-version are required');
    q = {
      model: values.model,
      shadowVersion: values['shadow-version'],
      from: num('from', values.from),
      to: num('to', values.to),
      horizonMs: num('horizon-ms', values['horizon-ms']),
    };
    if (!(q.from < q.to)) throw new Error('--from must be before --to');
  } catch (err) {
    return usageExit(err);
  }
  const config = loadConfig();
  const reader = TelemetryReader.connect(config.questdb);
  try {
    const result = await compareShadow(reader, q);
    // NaN is not JSON: null, read back as NaN.
    process.stdout.write(`${JSON.stringify(result, (_k, v) => (Number.isNaN(v) ? null : v))}\n`);
    return 0;
  } finally {
    await reader.close();
  }
}

runMain(main);
