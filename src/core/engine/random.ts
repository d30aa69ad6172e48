/**
 * Counter-based randomness.
 *
 * Every random draw in tsgan is derived from (run seed, step, purpose) through a hash, never from a hidden
 * generator that advances over time. A run resumed at step s therefore draws exactly what an uninterrupted run
 * would have drawn at step s, and there is no RNG state to save in checkpoints (see docs/design.md).
 *
 *   const rng = Rng.derive(config.seed, step, "noise/generator");
 *   rng.normal();  // same number for the same (seed, step, purpose), on every machine
 *
 * The generator is Philox4x32-10 (Salmon, Moraes, Dror & Shaw 2011, "Parallel random numbers: as easy as 1, 2, 3",
 * SC'11): a keyed bijection of a 128-bit counter, so the stream of a key is Philox(key, 0), Philox(key, 1), ...
 * The 64-bit key is a hash of the whole (seed, step, purpose) key, so different purposes get different keys, not
 * different offsets on one cycle: two streams can share a run of values only by a 2^-64 accident.
 */

/** One part of a derivation key: a run seed, a step counter or a purpose label. */
export type SeedPart = number | string;

const UINT32 = 0x1_0000_0000;

// ---- The key: a 64-bit hash of the parts ------------------------------------------------------------------------

const MASK_64 = (1n << 64n) - 1n;
/** 2^64 / golden ratio, SplitMix64's stream increment (Steele, Lea & Flood 2014). */
const GOLDEN_GAMMA_64 = 0x9e3779b97f4a7c15n;
/** The hash's starting state: an arbitrary 64-bit constant. */
const KEY_START = 0x2545f4914f6cdd1dn;
/** Type tags written before each part, so that 12 ≠ "12" ≠ (1, 2): the word sequence encodes the parts uniquely. */
const NUMBER_TAG = 0x6e756d62n; // "numb"
const STRING_TAG = 0x73747269n; // "stri"; the string's length is added to it
/** UTF-16 code units packed into one 64-bit word. */
const CODE_UNITS_PER_WORD = 4;

/**
 * SplitMix64's output function (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number generators",
 * OOPSLA; the constants are David Stafford's "Mix13" variant of MurmurHash3's fmix64): a bijection of 64-bit words
 * in which every input bit flips each output bit with probability ≈ 1/2.
 */
function mix64(z: bigint): bigint {
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK_64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK_64;
  return z ^ (z >> 31n);
}

/** One word into the hash: bijective in the word for a fixed state, and in the state for a fixed word. */
function absorb(state: bigint, word: bigint): bigint {
  return mix64(((state + GOLDEN_GAMMA_64) & MASK_64) ^ word);
}

/**
 * The 64-bit key of any number of seed parts, as two uint32 words. Numbers must be integers (|n| < 2^53).
 * BigInt is used here only, once per stream; the draws themselves are 32-bit arithmetic.
 */
export function deriveKey(...parts: SeedPart[]): { low: number; high: number } {
  let state = KEY_START;
  for (const part of parts) {
    if (typeof part === "number") {
      if (!Number.isInteger(part)) throw new Error(`hashSeed: seed part ${part} is not an integer`);
      state = absorb(state, NUMBER_TAG);
      state = absorb(state, BigInt.asUintN(64, BigInt(part)));
    } else {
      state = absorb(state, STRING_TAG + BigInt(part.length));
      for (let start = 0; start < part.length; start += CODE_UNITS_PER_WORD) {
        let word = 0n;
        for (let i = start; i < Math.min(start + CODE_UNITS_PER_WORD, part.length); i++) {
          word = (word << 16n) | BigInt(part.charCodeAt(i));
        }
        state = absorb(state, word);
      }
    }
  }
  return { low: Number(state & 0xffffffffn), high: Number(state >> 32n) };
}

/**
 * Hashes any number of seed parts into one uint32 seed, for APIs that take a 32-bit seed (TF.js random ops,
 * ParameterStore): the low word of `deriveKey(...parts)`.
 */
export function hashSeed(...parts: SeedPart[]): number {
  return deriveKey(...parts).low;
}

// ---- The block function: Philox4x32-10 --------------------------------------------------------------------------

/** The two round multipliers of Philox4x32 (Salmon et al. 2011). */
const PHILOX_MULTIPLIER_0 = 0xd2511f53;
const PHILOX_MULTIPLIER_1 = 0xcd9e8d57;
/** The Weyl key schedule's increments: the golden ratio and √3 − 1, as 32-bit fractions. */
const PHILOX_KEY_STEP_0 = 0x9e3779b9;
const PHILOX_KEY_STEP_1 = 0xbb67ae85;
/** Ten rounds: the paper's recommended count, with a safety margin over the 7 that pass BigCrush. */
const PHILOX_ROUNDS = 10;
/** Words per block: Philox4x32 turns one 128-bit counter into four uint32 draws. */
const WORDS_PER_BLOCK = 4;

/**
 * The high 32 bits of the 64-bit product of two uint32s, without BigInt: schoolbook multiplication on 16-bit halves,
 * where every partial product and partial sum stays below 2^32 (exact in float64, and in int32 bit operations).
 * The low half is Math.imul(a, b).
 */
export function multiplyHigh(a: number, b: number): number {
  const aHigh = a >>> 16;
  const aLow = a & 0xffff;
  const bHigh = b >>> 16;
  const bLow = b & 0xffff;
  const lowLow = aLow * bLow;
  const highLow = aHigh * bLow + (lowLow >>> 16); // ≤ (2^16 − 1)² + 2^16 − 1 < 2^32
  const lowHigh = aLow * bHigh + (highLow & 0xffff); // the same bound
  return (aHigh * bHigh + (highLow >>> 16) + (lowHigh >>> 16)) >>> 0;
}

/**
 * Philox4x32-10 on one counter block (c0 least significant … c3) under the key (k0, k1): writes the four uint32
 * output words to `out`. Checked against Random123's known-answer vectors.
 */
export function philox4x32(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Uint32Array,
): Uint32Array {
  for (let round = 0; round < PHILOX_ROUNDS; round++) {
    // One round: two 32×32→64 products; their high halves are xored with the other words and the round key.
    const high0 = multiplyHigh(c0, PHILOX_MULTIPLIER_0);
    const low0 = Math.imul(c0, PHILOX_MULTIPLIER_0);
    const high1 = multiplyHigh(c2, PHILOX_MULTIPLIER_1);
    const low1 = Math.imul(c2, PHILOX_MULTIPLIER_1);
    c0 = high1 ^ c1 ^ k0;
    c1 = low1;
    c2 = high0 ^ c3 ^ k1;
    c3 = low0;
    // The Weyl key schedule; the bump after the last round is never used.
    k0 = (k0 + PHILOX_KEY_STEP_0) | 0;
    k1 = (k1 + PHILOX_KEY_STEP_1) | 0;
  }
  // Words are int32 here (bit operations); the Uint32Array stores them modulo 2^32, i.e. as uint32.
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
  return out;
}

// ---- The stream -------------------------------------------------------------------------------------------------

/**
 * A counter-based stream for draws made in JavaScript: data shuffling, toy samples, noise, initial weights.
 * Word i of the stream is word (i mod 4) of Philox4x32-10(key, counter ⌊i / 4⌋). Construct it with
 * `Rng.derive(...)` so that its stream is a pure function of its key.
 */
export class Rng {
  private readonly key: Uint32Array;
  /** The next block's 128-bit counter, word 0 least significant. */
  private readonly counter = new Uint32Array(4);
  private readonly block = new Uint32Array(WORDS_PER_BLOCK);
  /** Next unread word of `block`; WORDS_PER_BLOCK when it is used up. */
  private position = WORDS_PER_BLOCK;
  private spareNormal: number | null = null;

  /** A stream keyed by (keyLow, keyHigh) directly; prefer `Rng.derive`, which hashes a meaningful key. */
  constructor(keyLow: number, keyHigh = 0) {
    this.key = Uint32Array.of(keyLow >>> 0, keyHigh >>> 0);
  }

  /** The stream keyed by `parts`, e.g. `Rng.derive(seed, step, "noise/generator")`: equal parts, equal draws. */
  static derive(...parts: SeedPart[]): Rng {
    const { low, high } = deriveKey(...parts);
    return new Rng(low, high);
  }

  /** A uint32. */
  nextUint32(): number {
    if (this.position === WORDS_PER_BLOCK) this.nextBlock();
    return this.block[this.position++]!;
  }

  private nextBlock(): void {
    const { counter, key } = this;
    philox4x32(counter[0]!, counter[1]!, counter[2]!, counter[3]!, key[0]!, key[1]!, this.block);
    this.position = 0;
    // 128-bit increment (the Uint32Array wraps each word): the carry reaches word 1 only after 2^34 draws.
    for (let word = 0; word < 4; word++) {
      this.counter[word] = this.counter[word]! + 1;
      if (this.counter[word] !== 0) break;
    }
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
