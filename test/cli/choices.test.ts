/**
 * The config's choice lists are the one source of choices: every value of every enum appears in `tsgan train --help`
 * and among the lab's options, and a wrong value's error names every valid one — from the flag, from a config file,
 * and for a dataset. If a list in src/core/config.ts gains a name, these tests see it everywhere without an edit.
 */
import { CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import {
  ARCHITECTURE_NAMES,
  BROWSER_BACKEND_NAMES,
  CONDITIONAL_NAMES,
  ConfigSchema,
  DATASET_SPECS,
  GENERATOR_OUTPUT_NAMES,
  IMAGE_DATASET_NAMES,
  LOSS_NAMES,
  METRIC_NAMES,
  NODE_BACKEND_NAMES,
  OPTIMIZER_NAMES,
  PRIOR_NAMES,
  SAMPLER_NAMES,
  SPECTRAL_NORM_NAMES,
  TOY_DATASET_NAMES,
  configChoices,
  resolveConfig,
  type Config,
} from "../../src/core/config.js";
import { trainCommand } from "../../src/cli/trainCommand.js";
import { loadDataset } from "../../src/node/datasets.js";
import { FIELDS, PAGE_DATASETS } from "../../web/src/state.js";

/** Each choice key of the schema, its flag, and the values a user of the CLI may pick (Node lacks webgl/webgpu). */
const CHOICE_FLAGS: ReadonlyArray<{ key: keyof Config; flag: string; values: readonly string[] }> = [
  { key: "arch", flag: "--arch", values: ARCHITECTURE_NAMES },
  { key: "loss", flag: "--loss", values: LOSS_NAMES },
  { key: "prior", flag: "--prior", values: PRIOR_NAMES },
  { key: "optimizer", flag: "--optimizer", values: OPTIMIZER_NAMES },
  { key: "generatorOutput", flag: "--generator-output", values: GENERATOR_OUTPUT_NAMES },
  { key: "backend", flag: "--backend", values: NODE_BACKEND_NAMES },
  { key: "spectralNorm", flag: "--spectral-norm", values: SPECTRAL_NORM_NAMES },
  { key: "conditional", flag: "--conditional", values: CONDITIONAL_NAMES },
  { key: "sampler", flag: "--sampler", values: SAMPLER_NAMES },
];

/** The error commander prints for `tsgan train <args>`, without running anything. */
async function trainError(...args: string[]): Promise<string> {
  let written = "";
  const command = trainCommand()
    .exitOverride()
    .configureOutput({ writeErr: (text) => (written += text), writeOut: () => {} });
  command.action(() => {
    throw new Error("the arguments were accepted");
  });
  await expect(command.parseAsync(args, { from: "user" })).rejects.toBeInstanceOf(CommanderError);
  return written;
}

describe("the config's choice lists", () => {
  it("are the schema's enums, and every enum of the schema is covered here", () => {
    const enumKeys = (Object.keys(ConfigSchema.shape) as Array<keyof Config>).filter((key) => configChoices(key));
    expect(enumKeys.sort()).toEqual([...CHOICE_FLAGS.map(({ key }) => key), "evalMetrics"].sort());
    for (const { key, values } of CHOICE_FLAGS) {
      // The CLI may offer fewer (backends), never a value the schema rejects.
      for (const value of values) expect(configChoices(key), key).toContain(value);
    }
    expect(configChoices("evalMetrics")).toEqual(METRIC_NAMES);
  });

  it("every value appears in tsgan train --help", () => {
    const help = trainCommand().helpInformation();
    for (const { flag, values } of CHOICE_FLAGS) {
      expect(help, flag).toContain(flag);
      for (const value of values) expect(help, `${flag} ${value}`).toContain(`"${value}"`);
    }
    for (const metric of METRIC_NAMES) expect(help, metric).toContain(metric);
    for (const spec of DATASET_SPECS) expect(help, spec).toContain(spec);
  });

  it("a wrong flag value's error names every valid value", async () => {
    for (const { flag, values } of CHOICE_FLAGS) {
      const error = await trainError(flag, "no-such-choice");
      expect(error, flag).toContain("no-such-choice");
      for (const value of values) expect(error, `${flag} ${value}`).toContain(value);
      expect(error.trim().split("\n"), flag).toHaveLength(1);
    }
  });

  it("a wrong value in a config file names every valid value", () => {
    for (const { key } of CHOICE_FLAGS) {
      const message = (() => {
        try {
          resolveConfig({ [key]: "no-such-choice" });
        } catch (error) {
          return (error as Error).message;
        }
        throw new Error(`${key}: "no-such-choice" was accepted`);
      })();
      expect(message).toContain(`config: ${key}:`);
      for (const value of configChoices(key)!) expect(message, `${key} ${value}`).toContain(value);
    }
  });

  it("an unknown dataset's error names every dataset", () => {
    expect(() => loadDataset("no-such-dataset", { split: "train", pixelRange: "tanh" })).toThrow(
      new RegExp(DATASET_SPECS.map((spec) => spec.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")),
    );
  });

  it("the lab's select fields offer the same values", () => {
    const options = (key: string) => {
      const field = FIELDS.find((candidate) => candidate.key === key);
      if (field?.kind !== "enum") throw new Error(`the lab has no choice field ${key}`);
      return field.options;
    };
    expect(options("arch")).toEqual(ARCHITECTURE_NAMES);
    expect(options("loss")).toEqual(LOSS_NAMES);
    expect(options("prior")).toEqual(PRIOR_NAMES);
    expect(options("optimizer")).toEqual(OPTIMIZER_NAMES);
    expect(options("backend")).toEqual(BROWSER_BACKEND_NAMES);
    for (const backend of BROWSER_BACKEND_NAMES) expect(configChoices("backend")).toContain(backend);
    // Every toy and image dataset is on exactly one page; the lab adds its own 2-D toys and a drawing.
    const offered = [...PAGE_DATASETS["one-d"], ...PAGE_DATASETS["two-d"], ...PAGE_DATASETS.images];
    for (const name of [...TOY_DATASET_NAMES, ...IMAGE_DATASET_NAMES]) {
      expect(
        offered.filter((candidate) => candidate === name),
        name,
      ).toHaveLength(1);
    }
    expect(PAGE_DATASETS.images).toEqual(IMAGE_DATASET_NAMES);
    expect(options("dataset")).toEqual(offered);
  });
});
