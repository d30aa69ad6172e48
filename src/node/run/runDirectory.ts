/**
 * The run directory: the contract between training, sampling, evaluation and the lab (README, "The run directory",
 * describes every file and the fields of a metrics line).
 *
 *   runs/<name>/
 *     config.json              the fully resolved config
 *     metrics.jsonl            one JSON object per logged step
 *     samples/step_000500.png  grid from the fixed noise (samples/step_000500.svg, a plot, for toy data);
 *                              `tsgan sample` adds samples/sample_<step>.png (or .svg)
 *     plots/losses.svg         loss curves
 *     plots/eval.svg           training-time evaluation against step (--eval-every; absent without it)
 *     checkpoints/step_000500/ manifest.json + tensors.bin: everything needed to resume
 *     eval/step_000500.json    `tsgan eval`'s metrics of that checkpoint (src/node/evaluate.ts)
 *     status.json              step, steps, state (running / done / stopped / failed) and why
 *     lock.json                who trains here now (lock.ts); absent when nobody does
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { appendFile, mkdir, readFile, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Config } from "../../core/config.js";
import type { StepRecord } from "../../core/training/algorithm1.js";
import { CheckpointError, type CheckpointManifest } from "../../core/training/checkpoint.js";
import { metricsLine, parseMetricsLog, type MetricsLog } from "../../core/training/metricsLog.js";
import { asWriteError, writeFileAtomic } from "../visual/files.js";
import { ownerAlive, readLock } from "./lock.js";

/** A run directory that is missing, not a run, already used, or without the asked-for checkpoint. */
export class RunError extends Error {
  override name = "RunError";
}

/** A run's state in status.json. */
export type RunState = "running" | "done" | "stopped" | "failed";

/** A checkpoint read back whole and verified against its checksum. */
export interface StoredCheckpoint {
  manifest: CheckpointManifest;
  tensors: Uint8Array;
}

/** What status.json says of a run whose trainer was killed (its lock is stale or gone). */
export const PROCESS_GONE = "process gone";

/** status.json: the state, the step reached of how many, why it stopped, the last checkpoint, the backend. */
export interface RunStatus {
  state: RunState;
  step: number;
  steps: number;
  /** Why it stopped or failed; absent while running and when done. */
  message?: string;
  /** The last checkpoint written (directory name), if any. */
  lastCheckpoint?: string;
  backend: string;
  updatedAt: string;
}

const STEP_DIGITS = 6;
export const CHECKPOINT_MANIFEST = "manifest.json";
export const STATUS_FILE = "status.json";
export const CHECKPOINT_TENSORS = "tensors.bin";

/** step_000500: zero-padded so that names sort by step. */
export function stepName(step: number): string {
  return `step_${String(step).padStart(STEP_DIGITS, "0")}`;
}

/** A run directory (README, "The run directory"): the files `tsgan train` writes and everything else reads. */
export class RunDirectory {
  constructor(readonly root: string) {}

  get configPath() {
    return join(this.root, "config.json");
  }
  get metricsPath() {
    return join(this.root, "metrics.jsonl");
  }
  get statusPath() {
    return join(this.root, STATUS_FILE);
  }
  get samplesDir() {
    return join(this.root, "samples");
  }
  get plotsDir() {
    return join(this.root, "plots");
  }
  get checkpointsDir() {
    return join(this.root, "checkpoints");
  }

  /** The directory of step `step`'s checkpoint. */
  checkpointDir(step: number): string {
    return join(this.checkpointsDir, stepName(step));
  }

  /** A new run: refuses to touch a directory that already holds a run, so nothing written before is lost. */
  static async create(root: string, config: Config): Promise<RunDirectory> {
    const run = new RunDirectory(root);
    if (existsSync(run.configPath)) {
      throw new RunError(`${root} already holds a run; use --resume ${root} to continue it, or another --out`);
    }
    await mkdir(run.samplesDir, { recursive: true });
    await mkdir(run.plotsDir, { recursive: true });
    await mkdir(run.checkpointsDir, { recursive: true });
    await writeFileAtomic(run.configPath, `${JSON.stringify(config, null, 2)}\n`);
    return run;
  }

  /** An existing run (for --resume, sample, eval). */
  static async open(root: string): Promise<RunDirectory> {
    const run = new RunDirectory(root);
    if (!existsSync(run.configPath)) throw new RunError(`${root} is not a run directory (no config.json)`);
    return run;
  }

  /** config.json as written (validate it with resolveConfig). */
  async readConfig(): Promise<unknown> {
    return readJson(this.configPath);
  }

  /** Writes config.json (atomically). */
  async writeConfig(config: Config): Promise<void> {
    await writeFileAtomic(this.configPath, `${JSON.stringify(config, null, 2)}\n`);
  }

  /** Appends one line to metrics.jsonl. */
  async appendMetrics(record: StepRecord): Promise<void> {
    await appendFile(this.metricsPath, metricsLine(record)).catch((error: unknown) => {
      throw asWriteError(error, this.metricsPath);
    });
  }

  /** The log, with a count of torn lines (a crash mid-append), which are skipped. */
  async readMetricsLog(): Promise<MetricsLog> {
    if (!existsSync(this.metricsPath)) return { records: [], tornLines: 0 };
    return parseMetricsLog(await readFile(this.metricsPath, "utf8"));
  }

  /** Every whole logged record. */
  async readMetrics(): Promise<StepRecord[]> {
    return (await this.readMetricsLog()).records;
  }

  /**
   * Keeps the whole records up to `step` (a resumed run re-logs the steps after its checkpoint) and drops torn
   * lines, so that new records are never appended to a partial one; `notice` hears of a repair in one line.
   */
  async truncateMetrics(step: number, notice: (line: string) => void = () => {}): Promise<void> {
    const { records, tornLines } = await this.readMetricsLog();
    if (tornLines > 0) {
      notice(`tsgan: ${this.metricsPath}: dropped ${tornLines} torn line(s) left by an interrupted write`);
    }
    const kept = records.filter((record) => record.step <= step);
    await writeFileAtomic(this.metricsPath, kept.map(metricsLine).join(""));
  }

  /** Writes status.json (atomically), stamped with the time. */
  async writeStatus(status: Omit<RunStatus, "updatedAt">): Promise<void> {
    await writeFileAtomic(
      this.statusPath,
      `${JSON.stringify({ ...status, updatedAt: new Date().toISOString() }, null, 2)}\n`,
    );
  }

  /**
   * status.json as it stands now: a run whose file says "running" while no live process holds its lock was
   * killed (SIGKILL, a crash, a reboot) and is reported as stopped, with the message "process gone".
   */
  async readStatus(): Promise<RunStatus | null> {
    if (!existsSync(this.statusPath)) return null;
    const status = (await readJson(this.statusPath)) as RunStatus;
    if (status.state !== "running") return status;
    const owner = await readLock(this.root);
    return owner && ownerAlive(owner) ? status : { ...status, state: "stopped", message: PROCESS_GONE };
  }

  /**
   * Writes a checkpoint atomically: into a temporary sibling directory first, renamed into place when complete,
   * so a crash never leaves a half-written checkpoint under its final name.
   */
  async writeCheckpoint(manifest: CheckpointManifest, tensors: Uint8Array): Promise<string> {
    const finalDir = this.checkpointDir(manifest.step);
    const temporaryDir = `${finalDir}.tmp-${process.pid}`;
    const stored: CheckpointManifest = { ...manifest, tensorsSha256: sha256(tensors) };
    try {
      await rm(temporaryDir, { recursive: true, force: true });
      await mkdir(temporaryDir, { recursive: true });
      await writeFileAtomic(join(temporaryDir, CHECKPOINT_TENSORS), tensors);
      await writeFileAtomic(join(temporaryDir, CHECKPOINT_MANIFEST), `${JSON.stringify(stored)}\n`);
      await rm(finalDir, { recursive: true, force: true });
      await rename(temporaryDir, finalDir);
    } catch (error) {
      await rm(temporaryDir, { recursive: true, force: true }).catch(() => undefined);
      throw asWriteError(error, join(finalDir, CHECKPOINT_TENSORS));
    }
    return finalDir;
  }

  /**
   * Paths of partial writes a killed process left behind: temporary checkpoint directories and `*.tmp-*` files
   * (visual/files.ts, writeCheckpoint). Never read as results; a trainer holding the lock removes them.
   */
  async temporaries(): Promise<string[]> {
    const found: string[] = [];
    for (const directory of [this.root, this.checkpointsDir, this.samplesDir, this.plotsDir]) {
      if (!existsSync(directory)) continue;
      for (const name of await readdir(directory)) if (name.includes(".tmp-")) found.push(join(directory, name));
    }
    return found;
  }

  /** Removes what `temporaries` finds; only safe while holding the run's lock (no other writer). */
  async removeTemporaries(): Promise<number> {
    const found = await this.temporaries();
    for (const path of found) await rm(path, { recursive: true, force: true });
    return found.length;
  }

  /** Steps that have a complete checkpoint, ascending. */
  async checkpointSteps(): Promise<number[]> {
    if (!existsSync(this.checkpointsDir)) return [];
    const names = await readdir(this.checkpointsDir);
    return names
      .filter((name) => /^step_\d+$/.test(name) && existsSync(join(this.checkpointsDir, name, CHECKPOINT_MANIFEST)))
      .map((name) => Number(name.slice("step_".length)))
      .sort((a, b) => a - b);
  }

  /**
   * Reads a checkpoint (the latest when `step` is omitted) and verifies it. A damaged one is refused with a
   * CheckpointError naming it and the newest intact checkpoint.
   */
  async readCheckpoint(step?: number): Promise<StoredCheckpoint> {
    const steps = await this.checkpointSteps();
    const chosen = step ?? steps[steps.length - 1];
    if (chosen === undefined) throw new RunError(`${this.root} has no checkpoint yet`);
    if (!steps.includes(chosen)) {
      throw new RunError(`${this.root} has no checkpoint at step ${chosen} (available: ${steps.join(", ") || "none"})`);
    }
    const checkpoint = await this.readVerified(chosen);
    if (typeof checkpoint !== "string") return checkpoint;
    let newestIntact: number | undefined;
    for (const older of steps.filter((candidate) => candidate < chosen).reverse()) {
      if (typeof (await this.readVerified(older)) !== "string") {
        newestIntact = older;
        break;
      }
    }
    const intact = newestIntact === undefined ? "none is intact" : `the newest intact one is step ${newestIntact}`;
    throw new CheckpointError(`checkpoint ${this.checkpointDir(chosen)} is damaged (${checkpoint}); ${intact}`);
  }

  /**
   * The newest checkpoint that reads back intact, or null when there is none; each damaged one passed over is
   * named to `notice` in one line (a resume continues from an older checkpoint rather than stopping).
   */
  async newestIntactCheckpoint(notice: (line: string) => void): Promise<StoredCheckpoint | null> {
    for (const step of (await this.checkpointSteps()).reverse()) {
      const checkpoint = await this.readVerified(step);
      if (typeof checkpoint !== "string") return checkpoint;
      notice(`tsgan: checkpoint ${this.checkpointDir(step)} is damaged (${checkpoint}); trying an older one`);
    }
    return null;
  }

  /** A checkpoint whose manifest parses and whose tensors match their size and checksum, or why not. */
  private async readVerified(step: number): Promise<StoredCheckpoint | string> {
    const dir = this.checkpointDir(step);
    let manifest: CheckpointManifest;
    let tensors: Uint8Array;
    try {
      manifest = JSON.parse(await readFile(join(dir, CHECKPOINT_MANIFEST), "utf8")) as CheckpointManifest;
      tensors = new Uint8Array(await readFile(join(dir, CHECKPOINT_TENSORS))); // a copy: aligned for Float32Array
    } catch (error) {
      return (error as Error).message.split("\n")[0]!;
    }
    const floats = manifest.tensors?.reduce((sum, entry) => sum + entry.shape.reduce((a, b) => a * b, 1), 0);
    if (floats === undefined || tensors.byteLength !== floats * Float32Array.BYTES_PER_ELEMENT) {
      return `${CHECKPOINT_TENSORS} holds ${tensors.byteLength} bytes, its manifest lists ${(floats ?? 0) * 4}`;
    }
    // Checkpoints written before checksums existed are taken as they are.
    if (manifest.tensorsSha256 !== undefined && manifest.tensorsSha256 !== sha256(tensors)) {
      return `${CHECKPOINT_TENSORS} does not match its sha256`;
    }
    return { manifest, tensors };
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

async function readJson(path: string): Promise<unknown> {
  const text = await readFile(path, "utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RunError(`${path} is not valid JSON: ${(error as Error).message.split("\n")[0]}`);
  }
}
