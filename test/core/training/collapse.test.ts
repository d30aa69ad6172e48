import { describe, expect, it } from "vitest";
import { COLLAPSE_DROP, CollapseMonitor } from "../../../src/core/training/collapse.js";

const modes = (covered: number) => ({ what: "modes", covered, total: 8 });

describe("CollapseMonitor", () => {
  it("warns once when coverage falls by COLLAPSE_DROP from its best, and again after a recovery", () => {
    const monitor = new CollapseMonitor();
    expect(monitor.observe(100, modes(3))).toBeNull();
    expect(monitor.observe(200, modes(8))).toBeNull();
    expect(monitor.observe(300, modes(8 - COLLAPSE_DROP + 1))).toBeNull(); // a small wobble is not collapse
    expect(monitor.observe(400, modes(8 - COLLAPSE_DROP))).toBe(
      "step 400: modes covered fell from 8 to 6 of 8 (mode collapse?)",
    );
    expect(monitor.observe(500, modes(2))).toBeNull(); // same episode: one warning
    expect(monitor.observe(600, modes(8))).toBeNull();
    expect(monitor.observe(700, modes(1))).toMatch(/fell from 8 to 1/);
  });
});
