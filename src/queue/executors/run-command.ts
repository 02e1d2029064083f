/**
 * Run one command as an argv array — never through a shell, so no argument can be reinterpreted — with a timeout.
 * A non-zero exit or a timeout rejects with the command, exit code and stderr tail.
 */
import { execFile } from 'node:child_process';

export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
}

export type CommandRunner = (argv: readonly string[], timeoutMs: number) => Promise<CommandResult>;

/** The exact command line, quoted for reading in logs and the audit (not for executing). */
export function formatArgv(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(' ');
}

export const runCommand: CommandRunner = (argv, timeoutMs) =>
  new Promise((resolve, reject) => {
    const [file, ...args] = argv;
    execFile(
      file,
      args,
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024, shell: false },
      (err, stdout, stderr) => {
        if (err) {
          const how = err.killed ? `timed out after ${timeoutMs} ms` : `failed (${err.code ?? 'error'})`;
          reject(new Error(`${formatArgv(argv)} ${how}: ${String(stderr).slice(-500)}`, { cause: err }));
          return;
        }
        resolve({ stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
