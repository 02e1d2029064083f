/**
 * The check's log: one line per event on stderr (stdout carries the markdown result), and every line kept so the
 * JSON result shows exactly what was logged, e.g. that a fallback was reported once.
 */
export interface CheckLogLine {
  readonly level: 'info' | 'warn';
  readonly msg: string;
  readonly data: object;
}

export class CheckLog {
  readonly lines: CheckLogLine[] = [];

  constructor(private readonly echo: (line: string) => void = (l) => process.stderr.write(`${l}\n`)) {}

  info(data: object, msg: string): void {
    this.add('info', data, msg);
  }

  warn(data: object, msg: string): void {
    this.add('warn', data, msg);
  }

  private add(level: CheckLogLine['level'], data: object, msg: string): void {
    this.lines.push({ level, msg, data });
    this.echo(`[gpu-check] ${level === 'warn' ? 'warning: ' : ''}${msg} ${JSON.stringify(data)}`);
  }
}

/** Seconds left before `deadline` (performance.now() ms). */
export const secondsLeft = (deadline: number): number => (deadline - performance.now()) / 1000;
