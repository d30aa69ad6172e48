import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  bootId,
  LOCK_FILE,
  ownerAlive,
  processStartTime,
  readLock,
  RunLock,
  RunLockedError,
} from "../../../src/node/run/lock.js";

const LOCK_MODULE = resolve("src/node/run/lock.ts");
const directories: string[] = [];
const children: ChildProcess[] = [];

async function temporaryRun(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "tsgan-lock-"));
  directories.push(root);
  return root;
}

/** A separate Node process that takes the lock, prints "locked" and waits to be killed. */
async function holdLockInChild(root: string): Promise<ChildProcess> {
  const script = `
    const { RunLock } = await import(${JSON.stringify(LOCK_MODULE)});
    await RunLock.acquire(${JSON.stringify(root)}, () => {});
    console.log("locked");
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  await new Promise<void>((done, fail) => {
    child.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("locked") && done());
    child.once("exit", (code) => fail(new Error(`lock holder exited early (${code})`)));
  });
  return child;
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    child.once("exit", () => done());
    child.kill("SIGKILL");
  });
}

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) await killed(child);
  for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
});

describe("the run lock", () => {
  it("is written with this process's pid and host, and removed on release", async () => {
    const root = await temporaryRun();
    const lock = await RunLock.acquire(root, () => {});
    const owner = await readLock(root);
    expect(owner?.pid).toBe(process.pid);
    expect(ownerAlive(owner!)).toBe(true);
    await lock.release();
    expect(existsSync(join(root, LOCK_FILE))).toBe(false);
  });

  it("refuses a second trainer while the first process lives, naming its pid", async () => {
    const root = await temporaryRun();
    const child = await holdLockInChild(root);
    await expect(RunLock.acquire(root, () => {})).rejects.toThrow(RunLockedError);
    await expect(RunLock.acquire(root, () => {})).rejects.toThrow(`pid ${child.pid}`);
  });

  it("takes over the lock of a killed process with a one-line notice", async () => {
    const root = await temporaryRun();
    const child = await holdLockInChild(root);
    await killed(child);
    const notices: string[] = [];
    const lock = await RunLock.acquire(root, (line) => notices.push(line));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(`pid ${child.pid}`);
    expect(notices[0]).toContain("gone");
    expect((await readLock(root))?.pid).toBe(process.pid);
    await lock.release();
  });

  it("does not mistake a reused pid for the owner: the process start time must match", async () => {
    const root = await temporaryRun();
    const start = processStartTime(process.pid);
    expect(start).not.toBeNull(); // Linux: /proc is there
    const impostor = { pid: process.pid, host: (await import("node:os")).hostname(), startedAt: "then" };
    await writeFile(join(root, LOCK_FILE), JSON.stringify({ ...impostor, processStart: start! - 1 }));
    const notices: string[] = [];
    const lock = await RunLock.acquire(root, (line) => notices.push(line));
    expect(notices[0]).toContain("gone");
    await lock.release();
  });

  it("takes over a lock from another boot of this host name, even one whose pid and start time match a live process", async () => {
    const root = await temporaryRun();
    expect(bootId()).toMatch(/^[0-9a-f-]{36}$/); // Linux: /proc is there
    // This very process, as a lock taken in another boot (a reboot; a directory copied from a machine named alike).
    const here = { pid: process.pid, host: (await import("node:os")).hostname(), startedAt: "then" };
    const live = { ...here, processStart: processStartTime(process.pid), boot: bootId() };
    expect(ownerAlive(live)).toBe(true);
    const otherBoot = { ...live, boot: "00000000-0000-4000-8000-000000000000" };
    expect(ownerAlive(otherBoot)).toBe(false);
    expect(ownerAlive({ ...live, boot: null })).toBe(true); // unknown boot: the pid and start time decide
    await writeFile(join(root, LOCK_FILE), JSON.stringify(otherBoot));
    const notices: string[] = [];
    const lock = await RunLock.acquire(root, (line) => notices.push(line));
    expect(notices[0]).toContain("gone");
    expect((await readLock(root))?.boot).toBe(bootId());
    await lock.release();
  });

  it("leaves alone a lock that another process took after ours", async () => {
    const root = await temporaryRun();
    const lock = await RunLock.acquire(root, () => {});
    const other = { pid: 1, host: "elsewhere", startedAt: "later", processStart: null };
    await writeFile(join(root, LOCK_FILE), JSON.stringify(other));
    await lock.release();
    expect(JSON.parse(await readFile(join(root, LOCK_FILE), "utf8"))).toEqual(other);
  });
});
