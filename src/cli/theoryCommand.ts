/**
 * `tsgan theory <experiment>`: the paper's theory, measured — D vs D*, Figure 1, V(D*, G) = −log 4 + 2·JSD, and the
 * vanishing minimax gradient. Thin: flags → src/node/theory.ts.
 */
import { join } from "node:path";
import { Argument, Command } from "commander";
import { NODE_BACKEND_NAMES, type BackendName } from "../core/config.js";
import { selectBackend } from "../node/engine/select.js";
import { DEFAULT_THEORY_ROOT, THEORY_EXPERIMENTS, runTheory, type TheoryExperimentName } from "../node/theory.js";
import { choiceOption, nonNegativeInteger } from "./options.js";
import { COMMAND_DESCRIPTIONS } from "./commandDescriptions.js";

/** What each experiment shows, for --help. */
const EXPERIMENT_HELP: Readonly<Record<TheoryExperimentName, string>> = {
  "optimal-discriminator": "D trained against a fixed G vs D* = p_data/(p_data + p_g) (Proposition 1)",
  "figure-1": "the paper's Figure 1 from a real 1-D GAN: p_data, p_g, D and z → x at four moments",
  "value-function": "V(D*, G) against −log 4 + 2·JSD as p_g moves to p_data (Theorem 1)",
  "vanishing-gradient": "G's gradient norm, minimax vs non-saturating, against a strong D (section 3)",
};

export function theoryCommand(): Command {
  return new Command("theory")
    .description(COMMAND_DESCRIPTIONS.theory)
    .addArgument(new Argument("<experiment>", "which experiment, or all").choices([...THEORY_EXPERIMENTS, "all"]))
    .option(
      "--out <dir>",
      `output directory (default: ${DEFAULT_THEORY_ROOT}/<experiment>; with all: <dir>/<experiment>)`,
    )
    .option("--seed <n>", "every random draw derives from it", nonNegativeInteger, 1)
    .addOption(choiceOption("--backend <name>", "engine", NODE_BACKEND_NAMES).default("auto"))
    .addHelpText(
      "after",
      "\nExperiments:\n" +
        THEORY_EXPERIMENTS.map((name) => `  ${name.padEnd(22)} ${EXPERIMENT_HELP[name]}`).join("\n") +
        "\n\nMeasured numbers and what they show: docs/theory.md.",
    )
    .action(async (experiment: string, options: { out?: string; seed: number; backend: string }) => {
      const backend = await selectBackend(options.backend as BackendName);
      const names = experiment === "all" ? [...THEORY_EXPERIMENTS] : [experiment as TheoryExperimentName];
      for (const name of names) {
        const out =
          options.out === undefined
            ? join(DEFAULT_THEORY_ROOT, name)
            : experiment === "all"
              ? join(options.out, name)
              : options.out;
        console.error(`tsgan: theory ${name} (seed ${options.seed}, ${backend} backend) …`);
        const result = await runTheory(name, { seed: options.seed, out, backend });
        for (const line of result.lines) console.log(`${name}: ${line}`);
        console.error(`tsgan: wrote ${result.svgPath} and ${result.jsonPath} in ${result.seconds.toFixed(1)} s`);
      }
    });
}
