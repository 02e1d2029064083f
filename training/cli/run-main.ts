import { CommanderError } from 'commander';
import { EXIT } from '../../src/exit-codes.js';

/**
 * The one way a command-line entry point (scripts/train, evaluate, score, benchmark, compare-shadow) runs its
 * `main`: its exit code becomes the process's, and an error it did not turn into a code is one line on stderr
 * and exit 1 (no stack: these are users' commands).
 */
export function runMain(main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = EXIT.failed;
    },
  );
}

/** The exit code for an error while reading the arguments: --help and --version exit 0, the rest print and exit 2. */
export function usageExit(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage; // commander printed it
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  return EXIT.usage;
}
