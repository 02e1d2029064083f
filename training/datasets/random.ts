/**
 * A small seeded PRNG (mulberry32) for everything training shuffles or samples, so a run is reproducible from
 * its --seed alone (Math.random is never used for data order).
 */

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates permutation of 0..n-1. */
export function permutation(n: number, seed: number): Int32Array {
  const rand = mulberry32(seed);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}

/** `k` distinct items of `items`, in their original order (a reproducible subsample). */
export function sample<T>(items: readonly T[], k: number, seed: number): T[] {
  if (k >= items.length) return [...items];
  const chosen = Array.from(permutation(items.length, seed).subarray(0, k)).sort((a, b) => a - b);
  return chosen.map((i) => items[i]);
}
