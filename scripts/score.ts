/** `npm run score -- --help`: see training/cli/score.ts. */

import { runMain } from '../training/cli/run-main.js';
import { main } from '../training/cli/score.js';

runMain(main);
