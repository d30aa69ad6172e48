/**
 * Counter-based randomness.
 *
 * Every random draw in tsgan is derived from (run seed, step, purpose) through a hash, never from a hidden
 * generator that advances over time. A run resumed at step s therefore draws exactly what an uninterrupted run
 * would have drawn at step s, and there is no RNG state to save in checkpoints (see docs/design.md).
 *
 *   const rng = Rng.derive(config.seed, step, "noise/generator");
 *   rng.normal();  // same number for the same (seed, step, purpose), on every machine
 */

/** One part of a derivation key: a run seed, a step counter or a purpose label. */
export type SeedPart = number | string;

const UINT32 = 0x1_0000_0000;
const GOLDEN_GAMMA = 0x9e3779b9; // 2^32 / golden ratio: the additive constant of splitmix32

/** Final avalanche of MurmurHash3 (fmix32): every input bit flips each output bit with probability ~1/2. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function absorb(state: number, word: number): number {
  return mix32((state ^ mix32((word + GOLDEN_GAMMA) >>> 0)) + GOLDEN_GAMMA);
}

/** Hashes any number of seed parts into one uint32 seed. Numbers must be integers (|n| < 2^53). */
export function hashSeed(...parts: SeedPart[]): number {
  let state = 0x2545f491; // arbitrary non-zero start so that hashSeed() and hashSeed(0) differ
  for (const part of parts) {
    if (typeof part === "number") {
      if (!Number.isInteger(part)) throw new Error(`hashSeed: seed part ${part} is not an integer`);
      state = absorb(state, part >>> 0);
      state = absorb(state, Math.floor(part / UINT32) >>> 0);
    } else {
      state = absorb(state, 0x5eed5eed ^ part.length);
      for (let i = 0; i < part.length; i++) state = absorb(state, part.charCodeAt(i));
    }
  }
  return state;
}

/**
 * A small, fast generator (splitmix32) for draws made in JavaScript: data shuffling, toy samples, noise.
 * Construct it with `Rng.derive(...)` so that its stream is a pure function of its key.
 */
export class Rng {
  private state: number;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  static derive(...parts: SeedPart[]): Rng {
    return new Rng(hashSeed(...parts));
  }

  /** A uint32. */
  nextUint32(): number {
    this.state = (this.state + GOLDEN_GAMMA) >>> 0;
    return mix32(this.state);
  }

  /** A float in [0, 1) with 32 random bits. */
  uniform(): number {
    return this.nextUint32() / UINT32;
  }

  /** A float in [low, high). */
  uniformIn(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** A standard normal draw (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== null) {
      const spare = this.spareNormal;
      this.spareNormal = null;
      return spare;
    }
    let u = this.uniform();
    while (u === 0) u = this.uniform(); // log(0) would be -Infinity
    const v = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** A fresh uint32 seed for an API that takes one (e.g. TF.js random ops). */
  seed(): number {
    return this.nextUint32();
  }

  /** Fills `out` with uniform [low, high) draws. */
  fillUniform(out: Float32Array, low: number, high: number): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.uniformIn(low, high);
    return out;
  }

  /** Fills `out` with normal draws of the given mean and standard deviation. */
  fillNormal(out: Float32Array, mean = 0, std = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Uint32Array {
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const swap = order[i]!;
      order[i] = order[j]!;
      order[j] = swap;
    }
    return order;
  }
}
