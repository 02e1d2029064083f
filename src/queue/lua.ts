/**
 * The Lua commands beside this file (commands/*.lua, as BullMQ keeps its own), read once at load, and how they run:
 * EVALSHA with a fallback to EVAL the first time (or after a SCRIPT FLUSH), so a script travels once, not per call.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

export const command = (name: string): string =>
  readFileSync(new URL(`./commands/${name}.lua`, import.meta.url), 'utf8');

const shas = new Map<string, string>();

function shaOf(script: string): string {
  let sha = shas.get(script);
  if (!sha) {
    sha = createHash('sha1').update(script).digest('hex');
    shas.set(script, sha);
  }
  return sha;
}

const isNoScript = (err: unknown) => err instanceof Error && err.message.startsWith('NOSCRIPT');

export async function runScript(redis: Redis, script: string, keys: string[], args: string[]): Promise<unknown> {
  const sha = shaOf(script);
  try {
    return await redis.evalsha(sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (!isNoScript(err)) throw err;
    return redis.eval(script, keys.length, ...keys, ...args);
  }
}

/**
 * One script over many key/argument sets in one pipeline (one round trip). A set the server did not know the
 * script for (NOSCRIPT: it did not run) is run again with EVAL; any other error is thrown.
 */
export async function runScriptMany(
  redis: Redis,
  script: string,
  calls: ReadonlyArray<{ readonly keys: string[]; readonly args: string[] }>,
): Promise<unknown[]> {
  if (calls.length === 0) return [];
  const sha = shaOf(script);
  const pipeline = redis.pipeline();
  for (const c of calls) pipeline.evalsha(sha, c.keys.length, ...c.keys, ...c.args);
  const replies = (await pipeline.exec()) ?? [];
  const out: unknown[] = [];
  for (const [i, c] of calls.entries()) {
    const [err, value] = replies[i] ?? [new Error('pipeline reply missing'), null];
    if (!err) out.push(value);
    else if (isNoScript(err)) out.push(await redis.eval(script, c.keys.length, ...c.keys, ...c.args));
    else throw err;
  }
  return out;
}
