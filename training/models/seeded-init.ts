/**
 * Seeded weight initialisers: each layer draws its own seed from one model seed, in build order, so the same
 * seed and options give the same initial weights on every backend run (determinism is checked on cpu).
 */
import * as tf from '@tensorflow/tfjs';

type Initializer = ReturnType<typeof tf.initializers.glorotUniform>;

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
