/**
 * A full disk and a read-only file system, for real: the test mounts a small tmpfs (it needs root, as the
 * developers' machines and CI have) and trains into it through the CLI. Training must stop with one line naming the
 * file and the reason, leave the last checkpoint intact and no temporary files, and resume once space is back.
 */
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunDirectory } from "../../../src/node/run/runDirectory.js";

const CLI = resolve("bin/tsgan.js");
/** Room for a few tiny runs; a filler file takes the rest when a test wants the disk full. */
const FILESYSTEM_BYTES = 32 * 1024 * 1024;
/** Free space left for the resumed run: enough for its lock, status and metrics lines, not for a checkpoint. */
const SPARE_BYTES = 16 * 1024;

const mountPoint = mkdtempSync(join(tmpdir(), "tsgan-small-disk-"));

function sh(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")}: ${result.stderr.trim()} (needs root)`);
}

beforeAll(() => sh("mount", ["-t", "tmpfs", "-o", `size=${FILESYSTEM_BYTES}`, "tmpfs", mountPoint]));
afterAll(() => {
  sh("umount", [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

/**
 * `tsgan train`; a new run (`--out`) is a tiny ring GAN (cpu: no native build needed), checkpointed every 10.
 * Asynchronous, so this worker's event loop stays free for vitest's RPC while the CLI runs.
 */
function train(args: string[]): Promise<{ status: number | null; lastLine: string }> {
  const tiny = ["--backend", "cpu", "--batch-size", "16", "--latent-dim", "2", "--checkpoint-every", "10"];
  const flags = args.includes("--out") ? [...args, ...tiny, "--sample-every", "10"] : args;
  return new Promise((done) => {
    execFile(process.execPath, [CLI, "train", ...flags], { encoding: "utf8" }, (error, _stdout, stderr) => {
      const errorLines = stderr.split("\n").filter((line) => line.trim() !== "");
      const status = error ? (typeof error.code === "number" ? error.code : null) : 0;
      done({ status, lastLine: errorLines[errorLines.length - 1] ?? "" });
    });
  });
}

/** Fills the file system to the last byte, then frees `spare` bytes; returns the filler to delete later. */
function fillDisk(spare: number): string {
  const reserve = join(mountPoint, "reserve");
  writeFileSync(reserve, Buffer.alloc(spare));
  const filler = join(mountPoint, "filler");
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeFileSync(filler, chunk, { flag: "a" });
  } catch (error) {
    expect((error as NodeJS.ErrnoException).code).toBe("ENOSPC");
  }
  rmSync(reserve);
  return filler;
}

function temporaryLeftovers(root: string): string[] {
  const found: string[] = [];
  const walk = (directory: string) => {
    for (const name of readdirSync(directory)) {
      const path = join(directory, name);
      if (name.includes(".tmp-")) found.push(path);
      if (statSync(path).isDirectory()) walk(path);
    }
  };
  walk(root);
  return found;
}

describe("writing a run on a small disk", () => {
  it("stops with one line when the disk fills, keeps the last checkpoint, and resumes once space is back", async () => {
    const out = join(mountPoint, "full");
    expect(await train(["--dataset", "ring-2d", "--steps", "10", "--out", out])).toMatchObject({ status: 0 });
    const filler = fillDisk(SPARE_BYTES);

    const full = await train(["--resume", out, "--steps", "40"]);
    expect(full.status).toBe(1);
    expect(full.lastLine).toMatch(/^tsgan: cannot write \S+: no space left on the device \(ENOSPC\);/);
    expect(full.lastLine).toContain(`checkpoint step_000010 is intact: make room, then tsgan train --resume ${out}`);
    expect((await new RunDirectory(out).readCheckpoint()).manifest.step).toBe(10);
    expect(temporaryLeftovers(out)).toEqual([]);

    rmSync(filler);
    expect(await train(["--resume", out, "--steps", "40"])).toMatchObject({ status: 0 });
    expect((await new RunDirectory(out).readCheckpoint()).manifest.step).toBe(40);
  });

  it("stops with one line on a read-only file system, and resumes once it is writable", async () => {
    const out = join(mountPoint, "read-only");
    expect(await train(["--dataset", "ring-2d", "--steps", "10", "--out", out])).toMatchObject({ status: 0 });
    sh("mount", ["-o", "remount,ro", mountPoint]);
    let readOnly;
    try {
      readOnly = await train(["--resume", out, "--steps", "20"]);
    } finally {
      sh("mount", ["-o", "remount,rw", mountPoint]);
    }
    expect(readOnly.status).toBe(1);
    expect(readOnly.lastLine).toMatch(/^tsgan: cannot write \S+: the file system is read-only \(EROFS\)/);
    expect((await new RunDirectory(out).readCheckpoint()).manifest.step).toBe(10);
    expect(await train(["--resume", out, "--steps", "20"])).toMatchObject({ status: 0 });
  });
});
