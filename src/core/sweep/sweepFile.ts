/**
 * The sweep file: many runs of one base config, varied over settings and seeds (README, "Many runs, many machines").
 * Isomorphic: the schema, the expansion into runs and their names; reading files and running runs live in
 * src/node/sweep.
 *
 *   {
 *     "name": "ring-losses",                         the sweep directory's name: sweeps/ring-losses/
 *     "base": "../configs/ring_mlp.json",            a config file (relative to the sweep file) or an inline config
 *     "grid": { "loss": ["non-saturating", "hinge"], "spectralNorm": ["none", "discriminator"] },
 *     "zip": { "dataset": ["ring-2d", "grid-2d"], "steps": [2000, 3000] },
 *     "variants": { "vanilla": {}, "r1": { "r1Gamma": 1 }, "pack2": { "pack": 2 } },
 *     "seeds": [1, 2, 3],
 *     "metrics": ["modes", "divergence"],
 *     "quantities": ["modes.reverseKl"]
 *   }
 *
 * Settings are the cartesian product of every `grid` list, times the rows of `zip` (its lists have one length and
 * are read side by side: row i takes item i of each), times the named `variants` (each a set of keys: the rows of an
 * ablation table, where each row changes different keys); each setting runs once per seed. Keys are config keys,
 * dotted for nested ones ("mlp.generatorHidden"). A run is named after what varies: `loss-hinge_spectralNorm-none_seed1`,
 * a variant by its own name: `r1_seed1`.
 */
import { z } from "zod";
import { ConfigError, METRIC_NAMES, mergeConfig, trainingPart, type Config, type MetricName } from "../config.js";
import { configFromLayers } from "../presets.js";

/** Names become directory names: letters, digits, '.', '_' and '-' only. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** Characters of a value that cannot appear in a run's directory name become this. */
const NAME_FILLER = "_";

const listOfValues = z.array(z.unknown()).min(1, "needs at least one value");

export const SweepFileSchema = z
  .object({
    name: z.string().regex(NAME_PATTERN, "letters, digits, '.', '_' and '-' only (it names a directory)"),
    base: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
    grid: z.record(z.string(), listOfValues).default({}),
    zip: z.record(z.string(), listOfValues).default({}),
    variants: z
      .record(
        z.string().regex(NAME_PATTERN, "letters, digits, '.', '_' and '-' only (it names run directories)"),
        z.record(z.string(), z.unknown()),
      )
      .refine((variants) => Object.keys(variants).length > 0, "needs at least one variant")
      .optional(),
    seeds: z.array(z.number().int().min(0)).min(1, "needs at least one seed").optional(),
    metrics: z
      .array(z.enum(METRIC_NAMES))
      .min(1, "needs at least one metric (or leave it out: all that apply)")
      .optional(),
    quantities: z
      .array(z.string().regex(/^[a-z-]+\.[A-Za-z]+$/, "write <metric>.<field>, e.g. modes.reverseKl"))
      .default([]),
    /** Generated samples per evaluation (`tsgan eval --samples`); default as there. */
    samples: z.number().int().min(2).optional(),
  })
  .strict();

export type SweepFile = z.output<typeof SweepFileSchema>;

/** One setting: the values of the varied keys (dotted key → value), and its readable name. */
export interface SweepSetting {
  name: string;
  values: Record<string, unknown>;
}

/** One run of a sweep: a setting at a seed, with its fully resolved config. */
export interface SweepRun {
  /** The run's directory name inside the sweep directory, e.g. "loss-hinge_seed1". */
  name: string;
  setting: string;
  seed: number;
  config: Config;
  /**
   * The run whose training this one shares: their configs differ only in SAMPLING_KEYS and AVERAGING_KEYS (another
   * sampler, or G with or without its average, on the same trained GAN), so this run copies that run's finished
   * training and only evaluates (runOne.ts, sharedTraining.ts).
   */
  trainedBy?: string;
}

/** The expansion of a sweep file: what the sweep directory's sweep.json records. */
export interface SweepPlan {
  name: string;
  metrics?: MetricName[];
  quantities: string[];
  samples?: number;
  settings: SweepSetting[];
  runs: SweepRun[];
}

/** Validates a parsed sweep file; any problem is a one-line ConfigError naming `where` (the file) and the key. */
export function parseSweepFile(input: unknown, where: string): SweepFile {
  const result = SweepFileSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path.join(".");
    if (issue.code === "unrecognized_keys") {
      throw new ConfigError(`${where}: unknown key "${[path, issue.keys[0]].filter(Boolean).join(".")}"`);
    }
    throw new ConfigError(`${where}: ${path || "value"}: ${issue.message}`);
  }
  const sweep = result.data;
  const zipLengths = new Set(Object.values(sweep.zip).map((values) => values.length));
  if (zipLengths.size > 1) {
    throw new ConfigError(`${where}: zip: every list needs the same length (got ${[...zipLengths].join(", ")})`);
  }
  const variantKeys = Object.entries(sweep.variants ?? {}).flatMap(([name, values]) =>
    Object.keys(values).map((key) => ({ key, where: `variant ${name}` })),
  );
  for (const { key, where: place } of [
    ...Object.keys(sweep.grid).map((key) => ({ key, where: "grid" })),
    ...Object.keys(sweep.zip).map((key) => ({ key, where: "zip" })),
    ...variantKeys,
  ]) {
    if (key === "seed") throw new ConfigError(`${where}: vary the seed with "seeds", not as a key (${place})`);
    if (key in sweep.grid && key in sweep.zip) throw new ConfigError(`${where}: ${key} is in both grid and zip`);
    if (place !== "grid" && place !== "zip" && (key in sweep.grid || key in sweep.zip)) {
      throw new ConfigError(`${where}: ${key} is in ${place} and in ${key in sweep.grid ? "grid" : "zip"}`);
    }
  }
  const seeds = sweep.seeds ?? [];
  const repeated = seeds.find((seed, index) => seeds.indexOf(seed) !== index);
  if (repeated !== undefined) throw new ConfigError(`${where}: seeds: ${repeated} appears twice`);
  for (const quantity of sweep.quantities) {
    const metric = quantity.split(".")[0] as MetricName;
    if (sweep.metrics && !sweep.metrics.includes(metric)) {
      throw new ConfigError(`${where}: quantities: ${quantity} needs the metric ${metric} in "metrics"`);
    }
  }
  return sweep;
}

/** "mlp.generatorHidden" = [64, 64] → { mlp: { generatorHidden: [64, 64] } }. */
export function nestDottedKeys(values: Record<string, unknown>): Record<string, unknown> {
  const nested: Record<string, unknown> = {};
  for (const [dotted, value] of Object.entries(values)) {
    const keys = dotted.split(".");
    let layer = nested;
    for (const key of keys.slice(0, -1)) layer = (layer[key] ??= {}) as Record<string, unknown>;
    layer[keys[keys.length - 1]!] = value;
  }
  return nested;
}

/** A value as it appears in a run name: 2e-4 → "0.0002", [64, 64] → "64x64", "ring-2d" → "ring-2d". */
function valueName(value: unknown): string {
  const text = Array.isArray(value)
    ? value.map(valueName).join("x")
    : typeof value === "string"
      ? value
      : JSON.stringify(value);
  return text.replace(/[^A-Za-z0-9.-]+/g, NAME_FILLER);
}

/** A setting's name: "key-value" for each varied key, joined by "_"; "base" when nothing varies. */
export function settingName(values: Record<string, unknown>): string {
  const parts = Object.entries(values).map(([key, value]) => `${key}-${valueName(value)}`);
  return parts.length > 0 ? parts.join("_") : "base";
}

/** Every setting: the cartesian product of the grid's lists, times the zip's rows, times the variants, in file order. */
export function expandSettings(sweep: Pick<SweepFile, "grid" | "zip" | "variants">): SweepSetting[] {
  let combinations: Array<Record<string, unknown>> = [{}];
  for (const [key, values] of Object.entries(sweep.grid)) {
    combinations = combinations.flatMap((combination) => values.map((value) => ({ ...combination, [key]: value })));
  }
  const zipKeys = Object.keys(sweep.zip);
  if (zipKeys.length > 0) {
    const rows = sweep.zip[zipKeys[0]!]!.map((_, row) =>
      Object.fromEntries(zipKeys.map((key) => [key, sweep.zip[key]![row]])),
    );
    combinations = combinations.flatMap((combination) => rows.map((row) => ({ ...combination, ...row })));
  }
  const settings = combinations.map((values) => ({ name: settingName(values), values }));
  if (!sweep.variants) return settings;
  // A variant is named by its own name (its keys differ from row to row, so "key-value" names would be unreadable).
  return settings.flatMap((setting) =>
    Object.entries(sweep.variants!).map(([variant, values]) => ({
      name: setting.name === "base" ? variant : `${variant}_${setting.name}`,
      values: { ...setting.values, ...values },
    })),
  );
}

/**
 * Expands a validated sweep over its base config (already read: a file's object, or the inline one) into runs,
 * each config resolved like `tsgan train --config base` with the setting's keys and the seed as flags. A config the
 * schema rejects, or two runs with one name, is a one-line ConfigError naming the run.
 */
export function expandSweep(sweep: SweepFile, base: Record<string, unknown>, where: string): SweepPlan {
  const settings = expandSettings(sweep);
  const runs: SweepRun[] = [];
  const seen = new Set<string>();
  for (const setting of settings) {
    const layered = mergeConfig(base, nestDottedKeys(setting.values));
    const resolve = (name: string, flags: Record<string, unknown>): Config => {
      try {
        return configFromLayers(layered, flags);
      } catch (error) {
        throw new ConfigError(`${where}: ${name}: ${(error as Error).message}`);
      }
    };
    const seeds = sweep.seeds ?? [resolve(`setting ${setting.name}`, {}).seed];
    for (const seed of seeds) {
      const name = `${setting.name}_seed${seed}`;
      if (seen.has(name)) throw new ConfigError(`${where}: two runs are named ${name}; make the varied values differ`);
      seen.add(name);
      runs.push({ name, setting: setting.name, seed, config: resolve(`run ${name}`, { seed }) });
    }
  }
  markSharedTraining(runs);
  return {
    name: sweep.name,
    ...(sweep.metrics ? { metrics: sweep.metrics } : {}),
    quantities: sweep.quantities,
    ...(sweep.samples !== undefined ? { samples: sweep.samples } : {}),
    settings,
    runs,
  };
}

/**
 * Sets `trainedBy` on each run whose training another run of the plan does: same config but for the sampling and
 * averaging keys (the seed included, so only runs of one seed share). An ablation's "rejection" and "ema" rows then
 * cost one evaluation each, not a second training of the "vanilla" row's GAN. A run with G's average (EMA) trains
 * for those without one, whose raw G it also holds; runs with different averages each need their own training.
 */
function markSharedTraining(runs: readonly SweepRun[]): void {
  const groups = new Map<string, SweepRun[]>();
  for (const run of runs) {
    const key = JSON.stringify(trainingPart(run.config));
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  const averageOf = ({ config }: SweepRun) =>
    config.generatorEma > 0 ? `${config.generatorEma}/${config.generatorEmaWarmup}` : null;
  for (const group of groups.values()) {
    const trainers = new Map<string | null, SweepRun>(); // the first run of each average
    for (const run of group) if (!trainers.has(averageOf(run))) trainers.set(averageOf(run), run);
    const averaged = [...trainers.entries()].find(([average]) => average !== null)?.[1];
    for (const run of group) {
      const trainer = averageOf(run) === null && averaged ? averaged : trainers.get(averageOf(run))!;
      if (trainer !== run) run.trainedBy = trainer.name;
    }
  }
}
