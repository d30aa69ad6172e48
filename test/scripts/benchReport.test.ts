/** The benchmark's round-by-round ratio (bench/report.ts): each round's figure over the reference's in that round. */
import { describe, expect, it } from "vitest";
import { pairedRatios, type EngineSummary } from "../../bench/report.js";

const engine = (name: string, rounds: number[]): EngineSummary => ({ engine: name, round_figures_ms: rounds });

describe("pairedRatios", () => {
  it("divides round by round, not median by median", () => {
    const tsgan = engine("tsgan-native", [50, 90, 60]);
    const peer = engine("pytorch", [100, 150, 200]);
    expect(pairedRatios(tsgan, peer)).toEqual([0.5, 0.6, 0.3]);
    // The ratio of the medians (60 / 150 = 0.4) is not among them: a slow round on one side pairs with the other's.
  });

  it("is undefined for the reference itself, without a reference, or when the rounds do not pair up", () => {
    const peer = engine("pytorch", [100, 150]);
    expect(pairedRatios(peer, peer)).toBeUndefined();
    expect(pairedRatios(engine("tsgan-native", [50, 60]), undefined)).toBeUndefined();
    expect(pairedRatios(engine("tsgan-native", [50]), peer)).toBeUndefined();
  });
});
