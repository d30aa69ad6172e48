/**
 * Parsers for flag values, shared by every command. Each rejects with one line saying what it expected; commander
 * prefixes it with the flag and its value ("option '--steps <n>' argument 'ten' is invalid. not an integer").
 * Choices come from the config's lists (src/core/config.ts) through `choiceOption`, so `--help`, the parser and the
 * error name the same values.
 */
import { InvalidArgumentError, Option } from "commander";

/** Bounds of an integer flag, both inclusive; `what` names the value in the error, e.g. "a port". */
export interface IntegerBounds {
  min?: number;
  max?: number;
  what?: string;
}

/** What an integer flag expects, in the words of its error: "a positive integer", "a port (0–65535)", … */
function expectation({ min, max, what }: IntegerBounds): string {
  const range = min !== undefined && max !== undefined ? ` (${min}–${max})` : "";
  if (what !== undefined) return `${what}${range}`;
  if (range) return `an integer${range}`;
  if (min === 1) return "a positive integer";
  if (min === 0) return "a non-negative integer";
  if (min !== undefined) return `an integer ≥ ${min}`;
  if (max !== undefined) return `an integer ≤ ${max}`;
  return "an integer";
}

/**
 * A parser for integers within `bounds`. Only safe integers pass (above 2^53 a number no longer names one integer),
 * so "1e21" and "2.5" are rejected like "ten".
 */
export function integer(bounds: IntegerBounds = {}): (text: string) => number {
  const expected = expectation(bounds);
  return (text: string) => {
    const value = Number(text);
    const inRange =
      (bounds.min === undefined || value >= bounds.min) && (bounds.max === undefined || value <= bounds.max);
    if (text.trim() === "" || !Number.isSafeInteger(value) || !inRange) {
      throw new InvalidArgumentError(`not ${expected}`);
    }
    return value;
  };
}

/** Counts of things: 1, 2, … */
export const positiveInteger = integer({ min: 1 });
/** Steps and seeds: 0, 1, … */
export const nonNegativeInteger = integer({ min: 0 });

/** A finite number ("2e-4", "0.5"). */
export function finiteNumber(text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) throw new InvalidArgumentError("not a number");
  return value;
}

/** A quantile or probability q with 0 ≤ q < 1 ("0.95"). */
export function unitFraction(text: string): number {
  const value = finiteNumber(text);
  if (value < 0 || value >= 1) throw new InvalidArgumentError("not a number in [0, 1)");
  return value;
}

/** A switch given as a word: on/off (or true/false), so that a config file's true can be overridden by a flag. */
export function onOff(text: string): boolean {
  if (text === "on" || text === "true") return true;
  if (text === "off" || text === "false") return false;
  throw new InvalidArgumentError("not on or off");
}

/** A comma-separated list ("a, b,c" → ["a", "b", "c"]); empty items are dropped. */
export function commaList(text: string): string[] {
  return text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

/** A flag whose value is one of `choices`: `--help` lists them and a wrong value's error names them all. */
export function choiceOption(flags: string, description: string, choices: readonly string[]): Option {
  return new Option(flags, description).choices(choices);
}
