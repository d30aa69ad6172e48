import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigSchema } from "../../src/core/config.js";
import { configReference } from "../../src/core/configDocs.js";

describe("docs/config.md", () => {
  it("is up to date with the schema (regenerate: npx tsx scripts/config-docs.ts > docs/config.md)", () => {
    expect(readFileSync(join(import.meta.dirname, "..", "..", "docs", "config.md"), "utf8")).toBe(configReference());
  });
  it("gives every key a reason", () => {
    for (const [key, field] of Object.entries(ConfigSchema.shape)) {
      if (key !== "mlp" && key !== "dcgan") expect(field.description, key).toBeTruthy();
    }
  });
});
