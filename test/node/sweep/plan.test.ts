/**
 * A sweep recognises its own runs across tsgan versions: stored configs are compared resolved, so a key added after
 * the run was made (absent from its config.json, defaulting to the old behaviour) does not orphan it, while any
 * value that differs still does.
 */
import { describe, expect, it } from "vitest";

import { resolveConfig } from "../../../src/core/config.js";
import { sameRunConfig } from "../../../src/node/sweep/plan.js";

describe("sameRunConfig", () => {
  const wanted = resolveConfig({ dataset: "ring-2d", arch: "mlp", steps: 40, seed: 3 });

  it("adopts a stored config that lacks a key added since (its default is what the run trained with)", () => {
    const stored: Record<string, unknown> = JSON.parse(JSON.stringify(wanted));
    delete stored.generatorEmaWarmup;
    delete stored.pack;
    expect(Object.keys(stored).length).toBeLessThan(Object.keys(wanted).length);
    expect(sameRunConfig(stored, wanted)).toBe(true);
  });

  it("refuses a stored config whose values differ, at the top level or nested", () => {
    expect(sameRunConfig({ ...wanted, seed: 4 }, wanted)).toBe(false);
    expect(sameRunConfig({ ...wanted, mlp: { ...wanted.mlp, maxoutPieces: 3 } }, wanted)).toBe(false);
  });
});
