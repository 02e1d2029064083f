import { AppError } from '../src/errors.js';

/** The AppError `fn` throws, so a test can check its code and details; anything else fails the test. */
export function appErrorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

/** `appErrorOf` for a promise-returning `fn`. */
export async function appErrorOfAsync(fn: () => Promise<unknown>): Promise<AppError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}
