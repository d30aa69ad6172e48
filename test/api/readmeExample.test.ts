/**
 * The README's library example runs as written (its imports pointed at the sources of the `tsgan` entry point), so a
 * change to the public API that breaks it fails here. scripts/pack-check.sh runs the same block against the packed
 * package.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { libraryExample } from "../../scripts/readmeExample.js";
import { tf } from "../../src/core/engine/tf.js";

const ROOT = join(import.meta.dirname, "..", "..");
const ENTRY = join(ROOT, "src", "index.ts");
const scratch = mkdtempSync(join(tmpdir(), "tsgan-readme-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The example's iterations and its progress cadence, as the README states them (checked against the code). */
const EXAMPLE_STEPS = 300;
const LOG_EVERY = 100;
/** ring-2d's modes lie on the unit circle; after 300 iterations G's samples should have found its scale. */
const RING_RADIUS = 1;
const RADIUS_TOLERANCE = 0.35;

describe("README: Use tsgan as a library", () => {
  it("runs the example as written: progress lines from the events, 1000 finite 2-D samples near the ring", async () => {
    const code = libraryExample(readFileSync(join(ROOT, "README.md"), "utf8"));
    expect(code).toContain(`steps: ${EXAMPLE_STEPS}`);
    const file = join(scratch, "example.ts");
    writeFileSync(file, `${code.replaceAll('from "tsgan"', `from ${JSON.stringify(ENTRY)}`)}\nexport { points };\n`);

    const lines: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)));
    const tensorsBefore = tf.memory().numTensors;
    let points: Float32Array;
    try {
      ({ points } = (await import(file)) as { points: Float32Array });
    } finally {
      log.mockRestore();
    }

    // The "step" handler printed at 100, 200, 300, each with finite losses and probabilities in (0, 1).
    expect(lines.map((line) => Number(line.split(":")[0]))).toEqual([LOG_EVERY, 2 * LOG_EVERY, EXAMPLE_STEPS]);
    for (const line of lines) {
      const numbers = [...line.matchAll(/ (-?[\d.e+-]+)(?:,|$)/g)].map((match) => Number(match[1]));
      expect(numbers).toHaveLength(4);
      expect(numbers.every(Number.isFinite)).toBe(true);
      expect(numbers[2]).toBeGreaterThan(0);
      expect(numbers[3]).toBeLessThan(1);
    }
    // 1000 (x, y) rows, finite, whose mean distance from the origin is the ring's radius; disposeGan freed all.
    expect(points).toBeInstanceOf(Float32Array);
    expect(points.length).toBe(1000 * 2);
    expect(points.every(Number.isFinite)).toBe(true);
    let radiusSum = 0;
    for (let row = 0; row < 1000; row++) radiusSum += Math.hypot(points[2 * row]!, points[2 * row + 1]!);
    expect(Math.abs(radiusSum / 1000 - RING_RADIUS)).toBeLessThan(RADIUS_TOLERANCE);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});
