/**
 * A sweep run that another sweep under the same runs directory (a folder with a sweep.json, beside this run's sweep)
 * has already trained is copied in, not trained again: a finished run directory whose config is this run's, or one
 * that this run's config makes longer (longerRun: more steps, other intervals), becomes this run's starting point. Its last checkpoint, log, status, plots and samples are
 * copied (copyTraining, as for shared training); the run then continues to its own length when it is longer, and is
 * evaluated as every run is. Its wall time starts from the adopted run's, which is time spent training it.
 *
 * This is how the campaign's tables share runs: `ablation-mnist`'s EMA rows are `results-mnist-best`'s runs, and
 * `results-mnist-long` continues `results-mnist-best`'s seed 1 to 150 000 iterations.
 */
import { existsSync } from "node:fs";
import { mkdir, readdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { longerRun } from "../../core/config.js";
import { RunLock } from "../run/lock.js";
import { RunDirectory } from "../run/runDirectory.js";
import { asWriteError } from "../visual/files.js";
import { PLAN_FILE, readClock, readOutcome, sameRunConfig, type RunSpec } from "./plan.js";
import { copyTraining } from "./sharedTraining.js";

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
    await copyTraining(adopted.root, spec.root, spec.run.config);
    return true;
  } finally {
    await lock.release();
  }
}
