/**
 * Measures of a random stream's quality, shared by test/core/engine/random.test.ts and scripts/rng-streams.ts:
 * repeats among draws (the birthday test) and runs of values shared between streams (overlap).
 */

/** Anything that draws uint32 words: tsgan's Rng, or the script's copy of the old generator. */
export interface WordSource {
  nextUint32(): number;
}

/** The birthday test's sample: 2^20 draws, for which ≈ 128 repeats are expected. */
export const BIRTHDAY_DRAWS = 2 ** 20;

const UINT32_VALUES = 2 ** 32;

/** The next `count` words of a stream. */
export function streamWords(source: WordSource, count: number): Uint32Array {
  const words = new Uint32Array(count);
  for (let i = 0; i < count; i++) words[i] = source.nextUint32();
  return words;
}

/**
 * Expected number of colliding pairs among n independent uniform 32-bit words: C(n, 2) / 2^32 (the birthday
 * problem). The count of repeated values (n − distinct) equals it up to triple collisions, ~n³/(6·2^64), negligible
 * here.
 */
export function expectedRepeats(n: number): number {
  return (n * (n - 1)) / 2 / UINT32_VALUES;
}

/** How many words repeat an earlier one (n − number of distinct values). */
export function repeatedValues(words: Uint32Array): number {
  const sorted = words.slice().sort();
  let repeats = 0;
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) repeats++;
  return repeats;
}

/** Two streams that contain the same two consecutive words somewhere (first ≤ second, indices into the input). */
export interface SharedRun {
  first: number;
  second: number;
  /** How many consecutive-word pairs the two streams share (a shifted overlap of w words shares w − 1). */
  sharedPairs: number;
  /** Position in `first` minus position in `second` of the first shared pair found: the shift of an overlap. */
  shift: number;
}

/**
 * Every pair of streams (or one stream with itself) that shares a pair of consecutive words. Two independent 64-bit
 * values coincide with probability 2^-64, so among N pairs in all a chance match has probability ≈ N² / 2^65;
 * any match found in practice means the streams overlap.
 *
 * Method: sort all words to find the values that occur more than once (chance repeats of single 32-bit words are
 * common, ≈ N² / 2^33), then compare the word after each occurrence of those values.
 */
export function sharedConsecutivePairs(streams: Uint32Array[]): SharedRun[] {
  const starts: number[] = [];
  let total = 0;
  for (const stream of streams) {
    starts.push(total);
    total += stream.length;
  }
  const all = new Uint32Array(total);
  streams.forEach((stream, index) => all.set(stream, starts[index]));

  const sorted = all.slice().sort();
  const repeated = new Set<number>();
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) repeated.add(sorted[i]!);

  // Where each repeated value occurs, as (stream, position) pairs; only positions that have a next word.
  const occurrences = new Map<number, Array<[number, number]>>();
  streams.forEach((stream, index) => {
    for (let position = 0; position + 1 < stream.length; position++) {
      const word = stream[position]!;
      if (!repeated.has(word)) continue;
      const list = occurrences.get(word) ?? [];
      list.push([index, position]);
      occurrences.set(word, list);
    }
  });

  const runs = new Map<string, SharedRun>();
  for (const list of occurrences.values()) {
    for (let a = 0; a < list.length; a++) {
      for (let b = a + 1; b < list.length; b++) {
        const [streamA, positionA] = list[a]!;
        const [streamB, positionB] = list[b]!;
        if (streams[streamA]![positionA + 1] !== streams[streamB]![positionB + 1]) continue;
        const name = `${streamA}:${streamB}`;
        const run = runs.get(name) ?? { first: streamA, second: streamB, sharedPairs: 0, shift: positionA - positionB };
        run.sharedPairs++;
        runs.set(name, run);
      }
    }
  }
  return [...runs.values()];
}
