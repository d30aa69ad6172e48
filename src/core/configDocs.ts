/** Renders the config schema as a Markdown reference (docs/config.md is generated from this; a test keeps it in sync). */
import { ConfigSchema, DcganConfigSchema, MlpConfigSchema } from "./config.js";
import type { z } from "zod";

function rows(schema: z.ZodObject, prefix: string): string[] {
  return Object.entries(schema.shape).flatMap(([key, field]) => {
    const typed = field as z.ZodType;
    if (key === "mlp" || key === "dcgan") return [];
    const fallback = JSON.stringify(typed.parse(undefined));
    return [`| \`${prefix}${key}\` | \`${fallback}\` | ${(typed.description ?? "").replaceAll("|", "\\|")} |`];
  });
}

export function configReference(): string {
  const header = ["| key | default | why |", "|---|---|---|"];
  return [
    "# Configuration reference",
    "",
    "Generated from `src/core/config.ts` by `npx tsx scripts/config-docs.ts > docs/config.md`; every default with its reason.",
    "Precedence, later wins: schema defaults < dataset preset (`src/core/presets.ts`: toy datasets get small MLPs) <",
    "`--config` file < flags. Unknown keys are rejected, naming the key.",
    "",
    ...header,
    ...rows(ConfigSchema, ""),
    "",
    "## `mlp` (the paper's networks)",
    "",
    ...header,
    ...rows(MlpConfigSchema, "mlp."),
    "",
    "## `dcgan`",
    "",
    ...header,
    ...rows(DcganConfigSchema, "dcgan."),
    "",
  ].join("\n");
}
