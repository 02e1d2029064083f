/**
 * Exit codes of the command-line entry points (training/cli, scripts/compare-shadow). The queue's workers run the
 * training ones as child processes and read these back (src/queue/training-entry.ts): a usage error or too little
 * data in the range cannot get better with a retry, anything else can.
 */
export const EXIT = {
  ok: 0,
  failed: 1,
  /** Bad arguments: the message names the flag. */
  usage: 2,
  /** The source or range holds too little data (AppError `NO_DATA`): a young installation's retrain skips. */
  noData: 3,
} as const;
