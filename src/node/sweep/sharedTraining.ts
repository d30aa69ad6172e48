/**
 * A sweep run that shares another run's training (SweepRun.trainedBy: their configs differ only in SAMPLING_KEYS and
 * AVERAGING_KEYS, so both would train the same weights). On this machine's pool it trains that run first if it is
 * not trained yet (or waits while the pool's other lane does), so no order of the lanes leaves it waiting for good;
 * queued, the worker hands it out only once that run is trained. Then it copies the finished training into its own
 * directory under its own config. Its evaluation (with its own sampler and generator) and every reader of run
 * directories (the report, `tsgan sample`, `tsgan eval`) then see a normal run.
 */
import { cp, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { AVERAGING_KEYS, SAMPLING_KEYS, type Config } from "../../core/config.js";
import type { CheckpointManifest } from "../../core/training/checkpoint.js";
import { metricsLine } from "../../core/training/metricsLog.js";
import { CHECKPOINT_MANIFEST, RunDirectory, RunError, STATUS_FILE } from "../run/runDirectory.js";
import { asWriteError, writeFileAtomic } from "../visual/files.js";
import { trainedToPlan, type RunSpec } from "./plan.js";

/** What a run directory holds of its training, besides config.json and the checkpoint that is copied. */
const TRAINING_FILES = ["metrics.jsonl", STATUS_FILE, "plots", "samples"];

/**
 * Makes `spec.root` a finished run with the trained weights of `spec.trainer`. A trainer not trained yet is trained
 * (or resumed) by `trainHere`, which waits while another process on this host trains it; without `trainHere` (a
 * queued run: the worker delays it until the trainer is done) it is a failure that a later try can get past.
 */
export async function shareTraining(
  spec: RunSpec & { trainer: NonNullable<RunSpec["trainer"]> },
  trainHere: ((trainer: Pick<RunSpec, "root" | "run">) => Promise<void>) | undefined,
  log: (line: string) => void,
): Promise<void> {
  const { trainer } = spec;
  const status = await new RunDirectory(trainer.root).readStatus();
  if (status?.state === "failed") {
    throw new RunError(`${spec.run.name} shares the training of ${trainer.run.name}, which failed: ${status.message}`);
  }
  // Done at the planned length: a trainer the sweep has since made longer trains on first.
  if (!(await trainedToPlan(trainer.root, trainer.run.config))) {
    if (!trainHere) throw new Error(`${trainer.run.name}, whose training ${spec.run.name} shares, has not finished`);
    log(`tsgan: ${spec.run.name}: training ${trainer.run.name} first, whose training it shares`);
    await trainHere(trainer);
  }
  await copyTraining(trainer.root, spec.root, spec.run.config);
  log(`tsgan: ${spec.run.name}: copied the finished training of ${trainer.run.name}`);
}

/**
 * Copies a finished run's training (its log, status, plots, samples and last checkpoint) into `target` under
 * `config`'s sampling and averaging keys: in the checkpoint's manifest (which `tsgan eval` and `tsgan sample` build
 * from: a run without G's average then opens the raw G) and in config.json. When the averages differ, the
 * training-time evaluations, plots and sample grids (drawn from the trainer's average) are left out: they would not
 * be this run's. config.json comes last because it marks a run directory: a copy cut short leaves none, and the next
 * attempt copies again.
 */
export async function copyTraining(source: string, target: string, config: Config): Promise<void> {
  const from = new RunDirectory(source);
  const to = new RunDirectory(target);
  const stored = (await from.readConfig()) as Config;
  const own = Object.fromEntries([...SAMPLING_KEYS, ...AVERAGING_KEYS].map((key) => [key, config[key]]));
  const sameAverage = AVERAGING_KEYS.every((key) => stored[key] === config[key]);
  const copy = (path: string) =>
    cp(join(source, path), join(target, path), { recursive: true, force: true }).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === "ENOENT" && !path.startsWith("checkpoints")) return; // no plots
      throw asWriteError(error, target);
    });
  await mkdir(target, { recursive: true });
  for (const name of sameAverage ? TRAINING_FILES : [STATUS_FILE]) await copy(name);
  if (!sameAverage) {
    const records = (await from.readMetrics()).map(({ eval: _averaged, ...record }) => record);
    await writeFileAtomic(to.metricsPath, records.map(metricsLine).join(""));
  }
  const checkpoint = (await from.readStatus())?.lastCheckpoint;
  if (checkpoint) {
    await copy(join("checkpoints", checkpoint));
    const manifestPath = join(to.checkpointsDir, checkpoint, CHECKPOINT_MANIFEST);
    const manifest = JSON.parse(await readFile(manifestPath, "utf8")) as CheckpointManifest;
    // The tensors' sha256 covers tensors.bin only, so the manifest's config may change.
    await writeFileAtomic(manifestPath, `${JSON.stringify({ ...manifest, config: { ...manifest.config, ...own } })}\n`);
  }
  await to.writeConfig({ ...stored, ...own });
}
