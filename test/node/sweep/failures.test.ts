/**
 * Which failures a sweep retries: a crash or a kill is tried again; a failure that the same inputs repeat (a bad
 * config, a NaN, a rejection sampler at its cap) is recorded once, as its one line without the error's class name.
 */
import { describe, expect, it } from "vitest";

import { ConfigError } from "../../../src/core/config.js";
import { RejectionSamplingError } from "../../../src/core/training/rejection.js";
import { isRepeatableFailure, oneLine } from "../../../src/node/sweep/runOne.js";

describe("sweep failures", () => {
  it("does not retry what the same seed would repeat, and reports it in its own words", () => {
    const capped = new RejectionSamplingError("rejection sampling accepted 3 of 10 samples in 2000 proposals");
    expect(isRepeatableFailure(capped)).toBe(true);
    expect(oneLine(capped)).toBe("rejection sampling accepted 3 of 10 samples in 2000 proposals");
    expect(isRepeatableFailure(new ConfigError("config: steps"))).toBe(true);
  });

  it("retries a crash, naming its kind", () => {
    const crash = new TypeError("cannot read properties of undefined\n    at somewhere");
    expect(isRepeatableFailure(crash)).toBe(false);
    expect(oneLine(crash)).toBe("TypeError: cannot read properties of undefined");
  });
});
