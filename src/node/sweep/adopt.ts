/**
 * A sweep run that another sweep under the same runs directory (a folder with a sweep.json, beside this run's sweep)
 * has already trained is copied in, not trained again: a finished run directory whose config is this run's, or one
 * that this run's config makes longer (longerRun: more steps, other intervals), becomes this run's starting point. Its last checkpoint, log, status, plots and samples are
 * copied (copyTraining, as for shared training); the run then continues to its own length when it is longer, and is
 * evaluated as every run is. Its wall time starts from the adopted run's, which is time spent training it.
 *
 * This is how the campaign's tables share runs: `ablation-mnist`'s EMA rows are `results-mnist-best`'s runs, and
 * `results-mnist-long` continues `results-mnist-best`'s seed 1 to 150 000 iterations. A run adopts whether its own
 * attempt reaches it first or a run that shares its training (sharedTraining.ts) trains it: `ablation-mnist`'s
 * vanilla row comes before the EMA row it shares, and must not train that row from scratch.
 *
 * The adoption is recorded in the run's directory (ADOPTION_FILE, and its clock: sweep-clock.json), so that the
 * run's outcome names it and counts its time whichever process adopted.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, readdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { longerRun } from "../../core/config.js";
import { RunLock } from "../run/lock.js";
import { RunDirectory } from "../run/runDirectory.js";
import { asWriteError, writeFileAtomic } from "../visual/files.js";
import { PLAN_FILE, readClock, readOutcome, sameRunConfig, writeClock, type RunSpec } from "./plan.js";
import { copyTraining } from "./sharedTraining.js";

/** In an adopted run's directory: which run it started from ({"from": "<sweep>/<run>"}). */
export const ADOPTION_FILE = "sweep-adoption.json";

/** A finished run of another sweep that a run can start from. */
export interface AdoptableRun {
  root: string;
  /** "<sweep>/<run>", for logs and sweep-outcome.json. */
  name: string;
  /** Its iterations: the most of them wins among several. */
  steps: number;
  /** Wall-clock seconds of its attempts (its sweep-outcome.json or sweep-clock.json; 0 outside a sweep). */
  seconds: number;
}

/** Whether a run made with `stored` is one with `wanted`, as it is or made longer; false for an unreadable config. */
function continuesInto(stored: unknown, wanted: unknown): boolean {
  try {
    return sameRunConfig(stored, wanted) || longerRun(stored, wanted) !== null;
  } catch {
    return false; // a config this tsgan no longer reads
  }
}

/** The finished run of another sweep beside `spec`'s that it can start from, the longest of them; null when none. */
export async function findAdoptableRun(spec: Pick<RunSpec, "root" | "run">): Promise<AdoptableRun | null> {
  const sweepDirectory = dirname(spec.root);
  const runsRoot = dirname(sweepDirectory);
  const subdirectories = async (directory: string) =>
    (await readdir(directory, { withFileTypes: true }).catch(() => []))
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(directory, entry.name));
  let best: AdoptableRun | null = null;
  for (const sweep of await subdirectories(runsRoot)) {
    // Only other sweeps' run directories (a sweep.json beside them): never whatever else lies in that folder.
    if (sweep === sweepDirectory || !existsSync(join(sweep, PLAN_FILE))) continue;
    for (const root of await subdirectories(sweep)) {
      const run = new RunDirectory(root);
      if ((await run.readStatus().catch(() => null))?.state !== "done") continue; // training or extended right now
      const stored = await run.readConfig().catch(() => null);
      if (stored === null) continue;
      if (!continuesInto(stored, spec.run.config)) continue;
      const steps = (stored as { steps: number }).steps;
      if (best !== null && best.steps >= steps) continue;
      const seconds = Math.max((await readOutcome(root))?.seconds ?? 0, await readClock(root));
      best = { root, name: `${basename(sweep)}/${basename(root)}`, steps, seconds };
    }
  }
  return best;
}

/**
 * Copies `adopted`'s training into `spec`'s run directory under `spec`'s config, holding the run's lock. False, with
 * nothing copied, when a live process holds that lock or the directory holds a run by then: that process is training
 * this run (a second `tsgan sweep run` of the sweep), and the caller waits for it as for any trainer.
 */
export async function adoptRun(
  spec: Pick<RunSpec, "root" | "run">,
  adopted: AdoptableRun,
  log: (line: string) => void,
): Promise<boolean> {
  await mkdir(spec.root, { recursive: true }).catch((error: unknown) => {
    throw asWriteError(error, spec.root);
  });
  const lock = await RunLock.acquire(spec.root, log).catch((error: unknown) => {
    if ((error as Error).name === "RunLockedError") return null;
    throw error;
  });
  if (lock === null) return false;
  try {
    if (existsSync(join(spec.root, "config.json"))) return false;
    // The clock and the record first: config.json, written last by copyTraining, marks the copy complete. A copy
    // cut short is adopted again by the next attempt, whose clock already holds the adopted run's time.
    if (!existsSync(join(spec.root, ADOPTION_FILE))) {
      await writeClock(spec.root, (await readClock(spec.root)) + adopted.seconds);
    }
    await writeFileAtomic(join(spec.root, ADOPTION_FILE), `${JSON.stringify({ from: adopted.name }, null, 2)}\n`);
    await copyTraining(adopted.root, spec.root, spec.run.config);
    return true;
  } finally {
    await lock.release();
  }
}

/**
 * Starts `spec`'s run from another sweep's finished run of its config when the run has no training of its own yet;
 * the adopted run, or null when there was nothing to adopt (or another process got to the run first).
 */
export async function adoptIfFresh(
  spec: Pick<RunSpec, "root" | "run">,
  log: (line: string) => void,
): Promise<AdoptableRun | null> {
  if (existsSync(join(spec.root, "config.json"))) return null;
  const adoptable = await findAdoptableRun(spec);
  if (adoptable === null || !(await adoptRun(spec, adoptable, log))) return null;
  log(`tsgan: ${spec.run.name}: starts from ${adoptable.name}, finished at step ${adoptable.steps} by another sweep`);
  return adoptable;
}

/** The run `root`'s run started from (ADOPTION_FILE), or undefined when it trained from scratch. */
export async function readAdoption(root: string): Promise<string | undefined> {
  try {
    const { from } = JSON.parse(await readFile(join(root, ADOPTION_FILE), "utf8")) as { from: unknown };
    return typeof from === "string" ? from : undefined;
  } catch {
    return undefined;
  }
}
