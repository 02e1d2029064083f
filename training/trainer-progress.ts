/**
 * Training progress: a cli-progress bar per run on a TTY (updated per batch), one log line per epoch otherwise
 * (CI logs, `npm run train > file`). Writes to stderr so stdout stays clean for results.
 */
import cliProgress from 'cli-progress';

export interface EpochProgress {
  readonly epoch: number;
  readonly epochs: number;
  readonly loss: number;
  readonly valLoss: number;
  readonly improved: boolean;
}

export interface ProgressReporter {
  startEpoch(epoch: number): void;
  batch(loss: number | undefined): void;
  endEpoch(e: EpochProgress): void;
  stop(): void;
}

const fmt = (v: number): string => (Number.isFinite(v) ? v.toPrecision(4) : String(v));

export function progressReporter(
  mode: 'auto' | 'bar' | 'lines' | 'none',
  label: string,
  epochs: number,
  batchesPerEpoch: number,
): ProgressReporter {
  const resolved = mode === 'auto' ? (process.stderr.isTTY ? 'bar' : 'lines') : mode;
  if (resolved === 'none') return { startEpoch() {}, batch() {}, endEpoch() {}, stop() {} };
  if (resolved === 'lines') {
    return {
      startEpoch() {},
      batch() {},
      endEpoch: (e) =>
        process.stderr.write(
          `${label} epoch ${e.epoch}/${e.epochs} loss ${fmt(e.loss)} val_loss ${fmt(e.valLoss)}${e.improved ? ' *' : ''}\n`,
        ),
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} epoch {epoch}/${epochs} |{bar}| {value}/{total} batches loss {loss} val_loss {val}`,
      stream: process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    startEpoch(epoch) {
      if (!started) bar.start(batchesPerEpoch, 0, { epoch, loss: '-', val: '-' });
      else bar.update(0, { epoch });
      started = true;
    },
    batch(loss) {
      bar.increment(1, { loss: loss === undefined ? '-' : fmt(loss) });
    },
    endEpoch(e) {
      bar.update(batchesPerEpoch, { loss: fmt(e.loss), val: fmt(e.valLoss) });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
