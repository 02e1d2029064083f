/** `npm run evaluate -- --help`: see training/cli/evaluate.ts. */
import { main } from '../training/cli/evaluate.js';
import { runMain } from '../training/cli/run-main.js';

runMain(main);
