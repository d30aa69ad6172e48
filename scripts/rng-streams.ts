/**
 * Measures whether the training loop's noise streams overlap, and a birthday test, for tsgan's generator and for the
 * 32-bit generator it replaced (issue 8): `npx tsx scripts/rng-streams.ts [--steps 2000] [--all]` (--all lists
 * every overlapping pair, not only the three largest).
 *
 * Overlap: the G and D noise batches of a default `tsgan train` run (MNIST, 2 000 iterations, seed 1, batch 64,
 * latentDim 100, k = 1), each taken as the uint32 words it consumes (one word per value for either prior:
 * Box–Muller turns two words into two normals). Two batches overlap when they share a pair of consecutive words
 * (test/support/randomness.ts: a chance match of 64 bits is ~2^-64 per comparison).
 * Birthday: repeated values among 2^20 words of one stream, against the ≈ 128 expected of random 32-bit words.
 */
import { resolveConfig } from "../src/core/config.js";
import { Rng, type SeedPart } from "../src/core/engine/random.js";
import {
  BIRTHDAY_DRAWS,
  expectedRepeats,
  repeatedValues,
  sharedConsecutivePairs,
  streamWords,
  type WordSource,
} from "../test/support/randomness.js";

// ---- The generator before issue 8, kept only to reproduce its figures -------------------------------------------
// A 32-bit state: hashSeed32 (MurmurHash3's fmix32 over the parts) picks a start on splitmix32's single 2^32 cycle.

const LEGACY_GAMMA = 0x9e3779b9;

function legacyMix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function legacyAbsorb(state: number, word: number): number {
  return legacyMix32((state ^ legacyMix32((word + LEGACY_GAMMA) >>> 0)) + LEGACY_GAMMA);
}

function legacyHashSeed(...parts: SeedPart[]): number {
  let state = 0x2545f491;
  for (const part of parts) {
    if (typeof part === "number") {
      state = legacyAbsorb(state, part >>> 0);
      state = legacyAbsorb(state, Math.floor(part / 2 ** 32) >>> 0);
    } else {
      state = legacyAbsorb(state, 0x5eed5eed ^ part.length);
      for (let i = 0; i < part.length; i++) state = legacyAbsorb(state, part.charCodeAt(i));
    }
  }
  return state;
}

class LegacySplitMix32 implements WordSource {
  private state: number;
  constructor(...parts: SeedPart[]) {
    this.state = legacyHashSeed(...parts);
  }
  nextUint32(): number {
    this.state = (this.state + LEGACY_GAMMA) >>> 0;
    return legacyMix32(this.state);
  }
}

// ---- The measurements -------------------------------------------------------------------------------------------

const GENERATORS: Array<{ name: string; derive: (...parts: SeedPart[]) => WordSource }> = [
  { name: "before: splitmix32, 32-bit key", derive: (...parts) => new LegacySplitMix32(...parts) },
  { name: "after: Philox4x32-10, 64-bit key", derive: (...parts) => Rng.derive(...parts) },
];

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

const config = resolveConfig({});
const steps = option("steps", config.steps);
const wordsPerBatch = config.batchSize * config.latentDim;
console.log(
  `default run: ${config.dataset}, ${steps} iterations, seed ${config.seed}, k = ${config.discriminatorSteps}, ` +
    `${config.prior} prior; ${wordsPerBatch} words per noise batch (batch ${config.batchSize} × latentDim ` +
    `${config.latentDim}); birthday test on ${BIRTHDAY_DRAWS} draws, ${expectedRepeats(BIRTHDAY_DRAWS).toFixed(1)} ` +
    `repeats expected`,
);

for (const generator of GENERATORS) {
  // The noise keys of src/core/training/algorithm1.ts.
  const labels: string[] = [];
  const batches: Uint32Array[] = [];
  for (let step = 0; step < steps; step++) {
    for (let i = 0; i < config.discriminatorSteps; i++) {
      labels.push(`D noise of iteration ${step}${config.discriminatorSteps > 1 ? ` (D step ${i})` : ""}`);
      batches.push(streamWords(generator.derive(config.seed, step, i, "noise/discriminator"), wordsPerBatch));
    }
    labels.push(`G noise of iteration ${step}`);
    batches.push(streamWords(generator.derive(config.seed, step, "noise/generator"), wordsPerBatch));
  }
  const overlaps = sharedConsecutivePairs(batches).sort((a, b) => b.sharedPairs - a.sharedPairs);
  const birthday = repeatedValues(streamWords(generator.derive(config.seed, 0, "noise/generator"), BIRTHDAY_DRAWS));

  console.log(`\n${generator.name}`);
  console.log(`  noise batches: ${batches.length}; pairs of batches sharing values: ${overlaps.length}`);
  for (const overlap of overlaps.slice(0, process.argv.includes("--all") ? undefined : 3)) {
    console.log(
      `    ${labels[overlap.first]} and ${labels[overlap.second]}: ${overlap.sharedPairs + 1} of ` +
        `${wordsPerBatch} values shared, shifted by ${Math.abs(overlap.shift)}`,
    );
  }
  console.log(`  birthday test: ${birthday} repeated values among ${BIRTHDAY_DRAWS} draws of one stream`);
}
