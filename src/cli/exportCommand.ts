/**
 * `tsgan export`: a run's generator as a standard TF.js model (model.json + weight shards) and generator.json,
 * for apps that load it with stock `@tensorflow/tfjs` (src/node/export/exportGenerator.ts).
 */
import { Command } from "commander";
import { exportGenerator } from "../node/export/exportGenerator.js";
import { nonNegativeInteger } from "./options.js";
import { COMMAND_DESCRIPTIONS } from "./commandDescriptions.js";

export function exportCommand(): Command {
  return new Command("export")
    .description(COMMAND_DESCRIPTIONS.export)
    .requiredOption("--run <dir>", "run directory written by tsgan train")
    .requiredOption("--out <dir>", "directory to create (must not exist or be empty: nothing is overwritten)")
    .option("--checkpoint <step>", "checkpoint step (default: the latest)", nonNegativeInteger)
    .option("--raw-generator", "export G itself, not the EMA of its weights (runs with --generator-ema)", false)
    .action(async (options: { run: string; out: string; checkpoint?: number; rawGenerator: boolean }) => {
      const { card, files } = await exportGenerator(options);
      const which = card.generator === "ema" ? "EMA generator" : "generator";
      console.error(
        `tsgan: exported the ${which} from step ${card.source.step} to ${options.out} (${files.join(", ")})`,
      );
    });
}
