/** `npm run train -- --help`: see training/cli/train.ts. */

import { runMain } from '../training/cli/run-main.js';
import { main } from '../training/cli/train.js';

runMain(main);
