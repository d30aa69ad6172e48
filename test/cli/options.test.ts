/** The flag parsers every command shares: what they accept, and the one line they reject with. */
import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import {
  commaList,
  finiteNumber,
  integer,
  nonNegativeInteger,
  onOff,
  positiveInteger,
  unitFraction,
} from "../../src/cli/options.js";

function rejection(parse: (text: string) => unknown, text: string): string {
  try {
    parse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return (error as Error).message;
  }
  throw new Error(`"${text}" was accepted`);
}

describe("flag parsers", () => {
  it("integers: accept whole numbers within the bounds, and say what they expected otherwise", () => {
    expect(integer()("-3")).toBe(-3);
    expect(positiveInteger("12")).toBe(12);
    expect(nonNegativeInteger("0")).toBe(0);
    expect(integer({ min: 0, max: 65_535, what: "a port" })("8040")).toBe(8040);
    expect(rejection(integer(), "ten")).toBe("not an integer");
    expect(rejection(positiveInteger, "0")).toBe("not a positive integer");
    expect(rejection(nonNegativeInteger, "-1")).toBe("not a non-negative integer");
    expect(rejection(integer({ min: 0, max: 65_535, what: "a port" }), "65536")).toBe("not a port (0–65535)");
    expect(rejection(integer({ min: 1, max: 20 }), "21")).toBe("not an integer (1–20)");
    expect(rejection(integer({ min: 2 }), "1")).toBe("not an integer ≥ 2");
  });

  it("integers: reject fractions, blanks and numbers too large to name one integer", () => {
    for (const text of ["2.5", "", " ", "1e21", String(2 ** 53)]) {
      expect(rejection(nonNegativeInteger, text), JSON.stringify(text)).toBe("not a non-negative integer");
    }
    expect(nonNegativeInteger(String(2 ** 53 - 1))).toBe(2 ** 53 - 1);
  });

  it("numbers and lists", () => {
    expect(finiteNumber("2e-4")).toBe(2e-4);
    for (const text of ["rate", "", "Infinity", "NaN"]) expect(rejection(finiteNumber, text)).toBe("not a number");
    expect(commaList("modes, divergence,,parzen ")).toEqual(["modes", "divergence", "parzen"]);
    expect([onOff("on"), onOff("true"), onOff("off"), onOff("false")]).toEqual([true, true, false, false]);
    for (const text of ["yes", "", "1"]) expect(rejection(onOff, text)).toBe("not on or off");
    expect([unitFraction("0"), unitFraction("0.95")]).toEqual([0, 0.95]);
    for (const text of ["1", "-0.1", "2"]) expect(rejection(unitFraction, text)).toBe("not a number in [0, 1)");
    expect(rejection(unitFraction, "high")).toBe("not a number");
  });
});
