/**
 * Seeded weight initialisers: each layer draws its own seed from one model seed, in build order, so the same
 * seed and options give the same initial weights on every backend run (determinism is checked on cpu).
 */
import * as tf from '@tensorflow/tfjs';

type Initializer = ReturnType<typeof tf.initializers.glorotUniform>;

/**
 * Run `build` without tfjs's "Orthogonal initializer is being called on a matrix with more than 2000 elements:
 * Slowness may result" console warning: an LSTM's recurrent kernel (units × 4·units) passes 2000 elements at 23
 * units, the QR it warns about takes milliseconds at these sizes, and the line would print on every build or load.
 * Every other warning passes through.
 */
export function quietOrthogonal<T>(build: () => T): T {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('Orthogonal initializer is being called')) return;
    warn(...args);
  };
  try {
    return build();
  } finally {
    console.warn = warn;
  }
}

/** `quietOrthogonal` for an async build (loading a saved model runs the initialisers too). */
export async function quietOrthogonalAsync<T>(build: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('Orthogonal initializer is being called')) return;
    warn(...args);
  };
  try {
    return await build();
  } finally {
    console.warn = warn;
  }
}

export class SeededInit {
  private next: number;

  constructor(seed: number) {
    // Spread model seeds apart so seed 1 and seed 2 do not share layer seeds.
    this.next = (Math.abs(Math.trunc(seed)) * 7919 + 17) % 2_147_483_647;
  }

  private take(): number {
    this.next = (this.next * 48271) % 2_147_483_647;
    return this.next;
  }

  /** A layer seed of its own (e.g. a dropout layer's). */
  seed(): number {
    return this.take();
  }

  glorot(): Initializer {
    return tf.initializers.glorotUniform({ seed: this.take() });
  }

  orthogonal(): Initializer {
    return tf.initializers.orthogonal({ seed: this.take() });
  }

  /** Kernel + recurrent initialisers for an LSTM layer. */
  lstm(): { kernelInitializer: Initializer; recurrentInitializer: Initializer } {
    return { kernelInitializer: this.glorot(), recurrentInitializer: this.orthogonal() };
  }
}
