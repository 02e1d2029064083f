/** `npm run benchmark -- --help`: see training/cli/benchmark.ts. */
import { main } from '../training/cli/benchmark.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
