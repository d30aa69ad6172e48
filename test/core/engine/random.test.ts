/**
 * The counter-based generator: Philox4x32-10 against its published known-answer vectors, the stream layout, the key
 * derivation, disjoint streams, a birthday test, and the draws built on top (uniform, normal, int, permutation).
 */
import { describe, expect, it } from "vitest";

import { Rng, deriveKey, hashSeed, multiplyHigh, philox4x32 } from "../../../src/core/engine/random.js";
import {
  BIRTHDAY_DRAWS,
  expectedRepeats,
  repeatedValues,
  sharedConsecutivePairs,
  streamWords,
} from "../../support/randomness.js";

/**
 * Random123's known-answer vectors for philox4x32 with 10 rounds: DEShawResearch/random123, file tests/kat_vectors,
 * lines 27–29 at commit 9545ff6413f258be2f04c1d319d99aaef7521150 (columns: counter[4], key[2], expected[4]).
 */
const PHILOX4X32_10_KNOWN_ANSWERS = [
  {
    counter: [0x00000000, 0x00000000, 0x00000000, 0x00000000],
    key: [0x00000000, 0x00000000],
    expected: [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8],
  },
  {
    counter: [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
    key: [0xffffffff, 0xffffffff],
    expected: [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
  },
  {
    counter: [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
    key: [0xa4093822, 0x299f31d0],
    expected: [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
  },
];

function block(counter: number[], key: number[]): number[] {
  const [c0, c1, c2, c3] = counter as [number, number, number, number];
  const [k0, k1] = key as [number, number];
  return Array.from(philox4x32(c0, c1, c2, c3, k0, k1, new Uint32Array(4)));
}

describe("Philox4x32-10", () => {
  it.each(PHILOX4X32_10_KNOWN_ANSWERS)("matches Random123's known answer for counter $counter", (vector) => {
    expect(block(vector.counter, vector.key)).toEqual(vector.expected);
  });

  it("multiplyHigh is the high word of the exact 64-bit product (checked with BigInt)", () => {
    const rng = new Rng(7);
    const edges = [0, 1, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];
    const pairs: Array<[number, number]> = edges.flatMap((a) => edges.map((b): [number, number] => [a, b]));
    for (let i = 0; i < 1000; i++) pairs.push([rng.nextUint32(), rng.nextUint32()]);
    for (const [a, b] of pairs) {
      const exact = Number((BigInt(a) * BigInt(b)) >> 32n);
      expect(multiplyHigh(a, b)).toBe(exact);
      // int32 bit patterns (what the rounds pass after an xor) give the same answer as their uint32 values.
      expect(multiplyHigh(a | 0, b)).toBe(exact);
    }
  });

  it("an Rng's stream is Philox(key, 0), Philox(key, 1), …, four words per block in order", () => {
    const { low, high } = deriveKey(3, 14, "stream-layout");
    const rng = Rng.derive(3, 14, "stream-layout");
    const drawn = Array.from({ length: 12 }, () => rng.nextUint32());
    const expected = [0, 1, 2].flatMap((counter) => block([counter, 0, 0, 0], [low, high]));
    expect(drawn).toEqual(expected);
  });
});

describe("keys", () => {
  it("is deterministic: the same parts give the same key, seed and stream", () => {
    expect(deriveKey(1, 2, "noise")).toEqual(deriveKey(1, 2, "noise"));
    expect(hashSeed(1, 2, "noise")).toBe(hashSeed(1, 2, "noise"));
    expect(streamWords(Rng.derive(1, 2, "noise"), 100)).toEqual(streamWords(Rng.derive(1, 2, "noise"), 100));
  });

  it("encodes the parts unambiguously: order, type, grouping and count all change the key", () => {
    const keys = [
      deriveKey(),
      deriveKey(0),
      deriveKey(0, 0),
      deriveKey(1, 2),
      deriveKey(2, 1),
      deriveKey(12),
      deriveKey("12"),
      deriveKey("1", "2"),
      deriveKey(1, "2"),
      deriveKey(-1),
      deriveKey(2 ** 32 + 1),
      deriveKey("ab"),
      deriveKey("ab", ""),
      deriveKey("noise/generator"),
      deriveKey("noise/generatoR"),
    ].map(({ low, high }) => `${low}:${high}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("gives 64-bit keys and uint32 seeds (hashSeed is the key's low word, for TF.js seeds)", () => {
    const highWords = new Set<number>();
    for (let step = 0; step < 100; step++) {
      const { low, high } = deriveKey(1, step, "noise/generator");
      expect(hashSeed(1, step, "noise/generator")).toBe(low);
      for (const word of [low, high]) {
        expect(Number.isInteger(word)).toBe(true);
        expect(word).toBeGreaterThanOrEqual(0);
        expect(word).toBeLessThan(2 ** 32);
      }
      highWords.add(high);
    }
    expect(highWords.size).toBe(100); // the high word is used: not a 32-bit key in disguise
  });

  it("rejects a seed part that is not an integer", () => {
    expect(() => hashSeed(1.5)).toThrow(/not an integer/);
    expect(() => Rng.derive(Number.NaN)).toThrow(/not an integer/);
  });
});

describe("disjoint streams", () => {
  it("streams for different (step, purpose) share no pair of consecutive words", () => {
    // 600 streams (200 steps × the training loop's purposes) × 2 000 words: 1.2 M pairs of 64 bits; a chance match
    // among them has probability ≈ (1.2e6)² / 2 / 2^64 ≈ 4e-8.
    const streams: Uint32Array[] = [];
    for (let step = 0; step < 200; step++) {
      for (const purpose of [[0, "noise/discriminator"], ["noise/generator"], [step, "data/shuffle"]]) {
        streams.push(streamWords(Rng.derive(1, step, ...purpose), 2000));
      }
    }
    expect(sharedConsecutivePairs(streams)).toEqual([]);
  });

  it("the overlap check has teeth: it finds a stream that repeats another, shifted", () => {
    const original = streamWords(Rng.derive(1, 319, "noise/generator"), 2000);
    const shifted = original.slice(77); // what the 32-bit generator did: one stream starting inside another
    const unrelated = streamWords(Rng.derive(1, 396, "noise/generator"), 2000);
    const found = sharedConsecutivePairs([original, unrelated, shifted]);
    expect(found.length).toBeGreaterThan(0);
    expect(found.every(({ first, second }) => first === 0 && second === 2)).toBe(true);
  });

  it("passes a birthday test: 2^20 draws repeat about as often as truly random 32-bit words (≈ 128)", () => {
    // Repeats among n uniform 32-bit words are ≈ Poisson(n(n−1)/2 / 2^32) = Poisson(128.0); accept ±5 standard
    // deviations (±57). A 32-bit-state generator gives 0 here: its 2^20 states are distinct.
    const expected = expectedRepeats(BIRTHDAY_DRAWS);
    expect(expected).toBeCloseTo(128, 0);
    const tolerance = 5 * Math.sqrt(expected);
    const oneStream = repeatedValues(streamWords(Rng.derive(1, "birthday"), BIRTHDAY_DRAWS));
    expect(Math.abs(oneStream - expected)).toBeLessThan(tolerance);
    // The same count over 1 024 streams of 1 024 words: overlapping streams would add repeats, too few would mean
    // the streams are slices of one permutation.
    const words = new Uint32Array(BIRTHDAY_DRAWS);
    const streamLength = 1024;
    for (let step = 0; step < BIRTHDAY_DRAWS / streamLength; step++) {
      words.set(streamWords(Rng.derive(1, step, "birthday"), streamLength), step * streamLength);
    }
    expect(Math.abs(repeatedValues(words) - expected)).toBeLessThan(tolerance);
  });
});

describe("draws", () => {
  const COUNT = 100_000;
  // Standard errors at 100 000 draws: mean of U(0,1) 0.29/√n ≈ 9e-4, mean of N(0,1) 1/√n ≈ 3e-3, variance of
  // N(0,1) √2/√n ≈ 4.5e-3. Tolerances are ≈ 5 standard errors.

  it("uniform() is in [0, 1) with mean 1/2 and variance 1/12", () => {
    const rng = Rng.derive(2, "uniform");
    const values = Array.from({ length: COUNT }, () => rng.uniform());
    const mean = values.reduce((a, b) => a + b, 0) / COUNT;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / COUNT;
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(Math.abs(mean - 0.5)).toBeLessThan(5e-3);
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(2e-3);
  });

  it("fillNormal gives mean and std as asked; normal() pairs come from one Box–Muller draw", () => {
    const values = Rng.derive(2, "normal").fillNormal(new Float32Array(COUNT), 3, 2);
    const mean = values.reduce((a, b) => a + b, 0) / COUNT;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / COUNT;
    expect(Math.abs(mean - 3)).toBeLessThan(2 * 0.015);
    expect(Math.abs(variance - 4)).toBeLessThan(4 * 0.025);
    // Two normals use exactly two uniforms: the third normal starts at the stream's third word.
    const rng = Rng.derive(2, "pairs");
    rng.normal();
    rng.normal();
    const words = Rng.derive(2, "pairs");
    words.nextUint32();
    words.nextUint32();
    expect(rng.nextUint32()).toBe(words.nextUint32());
  });

  it("fillUniform stays in [low, high); int(n) covers 0..n−1; permutation is a permutation", () => {
    const rng = Rng.derive(2, "ranges");
    const values = rng.fillUniform(new Float32Array(10_000), -1, 1);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...values)).toBeLessThanOrEqual(1); // float32 rounding may reach 1
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 7000; i++) counts[rng.int(7)]++;
    for (const count of counts) expect(count).toBeGreaterThan(800); // expected 1000, sd ≈ 29
    const order = rng.permutation(1000);
    expect(Array.from(order).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(order)).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it("seed() gives TF.js-sized seeds: uint32s, different along the stream", () => {
    const rng = Rng.derive(2, "seeds");
    const seeds = Array.from({ length: 100 }, () => rng.seed());
    for (const seed of seeds) expect(seed >>> 0).toBe(seed);
    expect(new Set(seeds).size).toBe(100);
  });
});
