/**
 * Progress of a long simulation: a cli-progress bar on a TTY, otherwise one log line every 10 % or 15 s
 * (CI logs, redirected output). Writes to stderr so stdout stays clean for results.
 */
import cliProgress from 'cli-progress';

export interface StepProgress {
  update(done: number, total: number): void;
  stop(): void;
}

export function stepProgress(label: string, mode: 'auto' | 'bar' | 'lines' | 'none' = 'auto'): StepProgress {
  const resolved = mode === 'auto' ? (process.stderr.isTTY ? 'bar' : 'lines') : mode;
  if (resolved === 'none') return { update() {}, stop() {} };
  if (resolved === 'lines') {
    let lastPct = -1;
    let lastAt = 0;
    return {
      update(done, total) {
        const pct = Math.floor((done / total) * 10) * 10;
        const now = Date.now();
        if (pct > lastPct || now - lastAt > 15_000 || done === total) {
          process.stderr.write(`${label}: ${done}/${total} steps (${((100 * done) / total).toFixed(0)} %)\n`);
          lastPct = pct;
          lastAt = now;
        }
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} |{bar}| {percentage}% {value}/{total} steps eta {eta_formatted}`,
      stream: process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, done);
        started = true;
      } else if (done % 20 === 0 || done === total) bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
