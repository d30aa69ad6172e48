/**
 * Command-line conventions (issue 11): `--version`, no escape codes where nobody reads a terminal (pipes, CI logs,
 * NO_COLOR, TERM=dumb), and `npm run bench` refusing bad flags like the CLI does (one line, exit 2).
 * Processes are spawned asynchronously: a synchronous spawn would block this worker's RPC with vitest.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { StepRecord } from "../../src/core/training/algorithm1.js";
import { createProgress, drawsBar } from "../../src/cli/progress.js";

const ROOT = join(import.meta.dirname, "..", "..");
const CLI = join(ROOT, "bin", "tsgan.js");
const BENCH = join(ROOT, "bench", "run.ts");
const ESCAPE = "\u001b";
/** The exit status of usage errors (README, "Exit codes"). */
const EXIT_USAGE = 2;
const scratch = mkdtempSync(join(tmpdir(), "tsgan-conventions-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs node with `args` in the repository (stdout and stderr piped: not a TTY); resolves with status and output. */
function node(args: string[], environment: NodeJS.ProcessEnv = {}): Promise<Result> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      args,
      { cwd: ROOT, encoding: "utf8", timeout: 120_000, env: { ...process.env, ...environment } },
      (error, stdout, stderr) => {
        const status = error ? (typeof error.code === "number" ? error.code : null) : 0;
        done({ status, stdout, stderr });
      },
    );
  });
}

/** A stand-in for a terminal: what cli-progress calls on a TTY stream, recording what is written. */
function fakeTerminal(): NodeJS.WriteStream & { written: string } {
  const terminal = {
    isTTY: true,
    columns: 160,
    written: "",
    write(text: string) {
      terminal.written += text;
      return true;
    },
    cursorTo: () => true,
    moveCursor: () => true,
    clearLine: () => true,
    clearScreenDown: () => true,
    on: () => terminal,
    removeListener: () => terminal,
  };
  return terminal as unknown as NodeJS.WriteStream & { written: string };
}

function record(step: number): StepRecord {
  return {
    step,
    discriminatorLoss: 1.2,
    generatorLoss: 0.8,
    realScore: 0.6,
    fakeScore: 0.4,
    generatorFakeScore: 0.4,
    fakeScoreAfter: null,
    discriminatorGradientNorm: 1,
    generatorGradientNorm: 1,
    seconds: step,
  };
}

/** Drives a whole 3-step progress display on `stream`. */
function showProgress(stream: NodeJS.WriteStream, environment: NodeJS.ProcessEnv): void {
  const progress = createProgress(0, 3, stream, environment);
  for (let step = 1; step <= 3; step++) progress.update(record(step));
  progress.stop();
}

describe("tsgan --version", () => {
  it("prints package.json's version on stdout and exits 0", async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    for (const flag of ["--version", "-V"]) {
      const result = await node([CLI, flag]);
      expect(result.status).toBe(0);
      expect(result.stdout.trim()).toBe(version);
    }
  });
});

describe("progress output", () => {
  it("draws the bar only on a terminal without NO_COLOR or TERM=dumb", () => {
    expect(drawsBar({ isTTY: true }, {})).toBe(true);
    expect(drawsBar({ isTTY: false }, {})).toBe(false);
    expect(drawsBar({}, {})).toBe(false);
    expect(drawsBar({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(drawsBar({ isTTY: true }, { NO_COLOR: "" })).toBe(true); // no-color.org: set and non-empty
    expect(drawsBar({ isTTY: true }, { TERM: "dumb" })).toBe(false);
  });

  it("writes escape codes on a terminal, and plain lines without them under NO_COLOR", () => {
    const terminal = fakeTerminal();
    showProgress(terminal, {});
    expect(terminal.written).toContain(ESCAPE); // the bar hides the cursor and redraws: the test can fail

    const noColor = fakeTerminal();
    showProgress(noColor, { NO_COLOR: "1" });
    expect(noColor.written).not.toContain(ESCAPE);
    expect(noColor.written).toMatch(
      /^step 3\/3 \| .* D loss 1\.200 G loss 0\.800 \| D\(x\) 0\.60 D\(G\(z\)\) 0\.40\n/m,
    );
  });

  it("tsgan train on a pipe writes no escape codes", async () => {
    const out = join(scratch, "piped");
    const result = await node([CLI, "train", "--dataset", "ring-2d", "--steps", "5", "--backend", "cpu", "--out", out]);
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/step 5\/5/);
    expect(result.stdout + result.stderr).not.toContain(ESCAPE);
  });
});

describe("npm run bench: flags", () => {
  it.each([
    [["--bogus"], /^bench: unknown option '--bogus'$/],
    [["no-such-benchmark"], /^bench: unknown benchmark no-such-benchmark \(known: .*dcgan-step.*\)$/],
    [["--rounds", "ten"], /^bench: option '--rounds <n>' argument 'ten' is invalid\. not a positive integer$/],
  ])("%j: one line, exit 2, nothing measured", async (args, pattern) => {
    const result = await node(["--import", "tsx", BENCH, ...args]);
    expect(result.status).toBe(EXIT_USAGE);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr.trim()).toMatch(pattern);
    expect(result.stdout).toBe("");
  });

  it("--help lists every flag and exits 0", async () => {
    const result = await node(["--import", "tsx", BENCH, "--help"]);
    expect(result.status).toBe(0);
    for (const flag of ["--backends", "--rounds", "--steps", "--warmup", "--batch", "--threads", "--include-slow"]) {
      expect(result.stdout).toContain(flag);
    }
    for (const flag of ["--no-peer", "--profile", "--out"]) expect(result.stdout).toContain(flag);
  });
});
