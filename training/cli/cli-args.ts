/** Argument parsers shared by the evaluate and score command lines (commander's InvalidArgumentError → one line). */
import { InvalidArgumentError } from 'commander';

export const nonNegativeInt =
  (name: string) =>
  (raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be an integer >= 0`);
    return n;
  };

export const finite =
  (name: string) =>
  (raw: string): number => {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number`);
    return n;
  };

export const positive =
  (name: string) =>
  (raw: string): number => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a number > 0`);
    return n;
  };

export const time = (raw: string): number => {
  const ms = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(ms)) throw new InvalidArgumentError('expected an ISO-8601 time or epoch ms');
  return ms;
};

export const sourceArg = (raw: string): string => {
  if (raw === 'sim' || raw === 'questdb' || (raw.startsWith('csv:') && raw.length > 4)) return raw;
  throw new InvalidArgumentError('expected sim, questdb or csv:<path>');
};

export const runtimeArg = (raw: string): 'auto' | 'onnx' | 'tfjs' => {
  if (raw === 'auto' || raw === 'onnx' || raw === 'tfjs') return raw;
  throw new InvalidArgumentError('expected auto, onnx or tfjs');
};

/** Print only the first line of commander's error output (usage follows with --help). */
export const oneLineErrors = {
  writeErr: (s: string) => process.stderr.write(`${s.trim().split('\n')[0]}\n`),
};
