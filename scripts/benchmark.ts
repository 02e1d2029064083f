/** `npm run benchmark -- --help`: see training/cli/benchmark.ts. */
import { main } from '../training/cli/benchmark.js';
import { runMain } from '../training/cli/run-main.js';

runMain(main);
