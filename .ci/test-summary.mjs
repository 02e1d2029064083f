// Prints vitest's JSON report as one plain closing line, `vitest: N passed, N failed, N skipped`.
// CI's log reader knows the closing lines of many test runners but not vitest's coloured summary, so without this
// line a green run is taken as one that ran no test.
import { readFileSync } from 'node:fs';

const [file] = process.argv.slice(2);
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (err) {
  console.error(`test summary: cannot read vitest's JSON report ${file}: ${err.message}`);
  process.exit(1);
}
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`vitest: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`);
