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
 *     checkpoints/step_000500/ manifest.json + tensors.bin: everything needed to resume
 *     eval/step_000500.json    `tsgan eval`'s metrics of that checkpoint (src/node/evaluate.ts)
 *     status.json              step, steps, state (running / done / stopped / failed) and why
 */
import { existsSync } from "node:fs";
import { appendFile, mkdir, readFile, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Config } from "../../core/config.js";
import type { StepRecord } from "../../core/training/algorithm1.js";
import type { CheckpointManifest } from "../../core/training/checkpoint.js";
import { writeFileAtomic } from "../visual/files.js";

export class RunError extends Error {
  override name = "RunError";
}

export type RunState = "running" | "done" | "stopped" | "failed";

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
export const CHECKPOINT_TENSORS = "tensors.bin";

/** step_000500: zero-padded so that names sort by step. */
export function stepName(step: number): string {
  return `step_${String(step).padStart(STEP_DIGITS, "0")}`;
}

export class RunDirectory {
  constructor(readonly root: string) {}

  get configPath() {
    return join(this.root, "config.json");
  }
  get metricsPath() {
    return join(this.root, "metrics.jsonl");
  }
  get statusPath() {
    return join(this.root, "status.json");
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

  async readConfig(): Promise<unknown> {
    return readJson(this.configPath);
  }

  async writeConfig(config: Config): Promise<void> {
    await writeFileAtomic(this.configPath, `${JSON.stringify(config, null, 2)}\n`);
  }

  async appendMetrics(record: StepRecord): Promise<void> {
    await appendFile(this.metricsPath, `${JSON.stringify(record)}\n`);
  }

  /** Every logged record; a torn last line (a crash mid-append) is ignored. */
  async readMetrics(): Promise<StepRecord[]> {
    if (!existsSync(this.metricsPath)) return [];
    const lines = (await readFile(this.metricsPath, "utf8")).split("\n").filter((line) => line.trim() !== "");
    const records: StepRecord[] = [];
    for (const line of lines) {
      try {
        records.push(JSON.parse(line) as StepRecord);
      } catch {
        // a partial line from an interrupted append
      }
    }
    return records;
  }

  /** Drops metrics logged after `step` (a resumed run re-logs the steps after its checkpoint). */
  async truncateMetrics(step: number): Promise<void> {
    const kept = (await this.readMetrics()).filter((record) => record.step <= step);
    await writeFileAtomic(this.metricsPath, kept.map((record) => `${JSON.stringify(record)}\n`).join(""));
  }

  async writeStatus(status: Omit<RunStatus, "updatedAt">): Promise<void> {
    await writeFileAtomic(
      this.statusPath,
      `${JSON.stringify({ ...status, updatedAt: new Date().toISOString() }, null, 2)}\n`,
    );
  }

  async readStatus(): Promise<RunStatus | null> {
    return existsSync(this.statusPath) ? ((await readJson(this.statusPath)) as RunStatus) : null;
  }

  /**
   * Writes a checkpoint atomically: into a temporary sibling directory first, renamed into place when complete,
   * so a crash never leaves a half-written checkpoint under its final name.
   */
  async writeCheckpoint(manifest: CheckpointManifest, tensors: Uint8Array): Promise<string> {
    const finalDir = this.checkpointDir(manifest.step);
    const temporaryDir = `${finalDir}.tmp-${process.pid}`;
    await rm(temporaryDir, { recursive: true, force: true });
    await mkdir(temporaryDir, { recursive: true });
    await writeFileAtomic(join(temporaryDir, CHECKPOINT_TENSORS), tensors);
    await writeFileAtomic(join(temporaryDir, CHECKPOINT_MANIFEST), `${JSON.stringify(manifest)}\n`);
    await rm(finalDir, { recursive: true, force: true });
    await rename(temporaryDir, finalDir);
    return finalDir;
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

  /** Reads a checkpoint (the latest when `step` is omitted). */
  async readCheckpoint(step?: number): Promise<{ manifest: CheckpointManifest; tensors: Uint8Array }> {
    const steps = await this.checkpointSteps();
    const chosen = step ?? steps[steps.length - 1];
    if (chosen === undefined) throw new RunError(`${this.root} has no checkpoint yet`);
    if (!steps.includes(chosen)) {
      throw new RunError(`${this.root} has no checkpoint at step ${chosen} (available: ${steps.join(", ") || "none"})`);
    }
    const dir = this.checkpointDir(chosen);
    const manifest = (await readJson(join(dir, CHECKPOINT_MANIFEST))) as CheckpointManifest;
    const buffer = await readFile(join(dir, CHECKPOINT_TENSORS));
    return { manifest, tensors: new Uint8Array(buffer) }; // a copy: aligned for Float32Array views
  }
}

async function readJson(path: string): Promise<unknown> {
  const text = await readFile(path, "utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RunError(`${path} is not valid JSON: ${(error as Error).message.split("\n")[0]}`);
  }
}
