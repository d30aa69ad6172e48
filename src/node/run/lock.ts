/**
 * The run lock: one training process per run directory.
 *
 *   <run>/lock.json   { pid, host, boot, startedAt, processStart }   created with O_EXCL while a process trains here
 *
 * A second trainer finds the lock held by a live process and is refused with one line naming it. A lock whose
 * process is gone (killed with SIGKILL, the machine rebooted) is stale: the next trainer takes it over with a
 * one-line notice. "Gone" is decided on the same host only — a pid on another machine cannot be checked, so a lock
 * from another host is reported, not taken (delete lock.json by hand once that process is surely gone).
 *
 * Pids are reused: a lock also records its process's start time (Linux: /proc/<pid>/stat, field 22, in clock
 * ticks since boot), so a new process that happens to get the old pid is not mistaken for the trainer. And a lock
 * records the boot it was taken in (Linux: /proc/sys/kernel/random/boot_id): a lock from another boot — this machine
 * rebooted, or the run directory was copied from another machine that happens to have this one's host name (cloud
 * machines are often all "vm") — names a process that is not running here, whatever pid runs here now.
 */
import { readFileSync, unlinkSync } from "node:fs";
import { open, readFile, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { asWriteError } from "../visual/files.js";

/** The lock's file name inside a run directory. */
export const LOCK_FILE = "lock.json";

/** What a lock file holds. */
export interface LockOwner {
  pid: number;
  host: string;
  /** The boot the lock was taken in (Linux's boot_id); null where it cannot be read, absent in older locks. */
  boot?: string | null;
  /** When the lock was taken (ISO time). */
  startedAt: string;
  /** The process's start time in clock ticks since boot (Linux), or null where /proc is absent. */
  processStart: number | null;
}

/** A lock held by a live process. */
export class RunLockedError extends Error {
  override name = "RunLockedError";
}

/** Field 22 of /proc/<pid>/stat is the start time; fields before it may contain spaces inside "(comm)". */
const STAT_START_TIME_FIELD = 22;

/** The start time of `pid` in clock ticks since boot, or null when it cannot be read (no such process, no /proc). */
export function processStartTime(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ppid ..." — comm may hold spaces and parentheses: split after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const value = Number(fields[STAT_START_TIME_FIELD - 3]);
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}

/** Where Linux keeps the id of the current boot (a random UUID, new at every boot). */
const BOOT_ID_PATH = "/proc/sys/kernel/random/boot_id";

let thisBoot: string | null | undefined;

/** This boot's id, or null where it cannot be read (no /proc); read once, as it cannot change while we run. */
export function bootId(): string | null {
  if (thisBoot === undefined) {
    try {
      thisBoot = readFileSync(BOOT_ID_PATH, "utf8").trim() || null;
    } catch {
      thisBoot = null;
    }
  }
  return thisBoot;
}

/** True when the process that wrote `owner` still runs (on this host); unknowable on another host: true. */
export function ownerAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true;
  const boot = bootId();
  if (owner.boot && boot && owner.boot !== boot) return false; // another boot's process (file comment)
  try {
    process.kill(owner.pid, 0); // signal 0: existence check only
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false; // ESRCH: no such process
  }
  if (owner.processStart === null) return true;
  return processStartTime(owner.pid) === owner.processStart;
}

function describe(owner: LockOwner): string {
  return `pid ${owner.pid} on ${owner.host} (since ${owner.startedAt})`;
}

/** The current lock owner of a run directory, or null when unlocked (or the lock file is unreadable). */
export async function readLock(root: string): Promise<LockOwner | null> {
  try {
    return JSON.parse(await readFile(join(root, LOCK_FILE), "utf8")) as LockOwner;
  } catch {
    return null; // absent, or torn by a crash between create and write: treated as no lock
  }
}

/** A held run lock; `release()` removes it (idempotent; also done on process exit). */
export class RunLock {
  private released = false;
  private readonly onExit = () => this.releaseSync();

  private constructor(
    readonly path: string,
    readonly owner: LockOwner,
  ) {
    process.once("exit", this.onExit);
  }

  /**
   * Takes the lock of `root`. A live owner: RunLockedError naming it. A stale one: taken over, and `notice` is
   * told in one line. Two processes racing for a stale lock: exactly one wins (O_EXCL), the other is refused.
   */
  static async acquire(root: string, notice: (line: string) => void): Promise<RunLock> {
    const path = join(root, LOCK_FILE);
    const owner: LockOwner = {
      pid: process.pid,
      host: hostname(),
      boot: bootId(),
      startedAt: new Date().toISOString(),
      processStart: processStartTime(process.pid),
    };
    for (let attempt = 0; attempt < 2; attempt++) {
      const handle = await open(path, "wx").catch((error: NodeJS.ErrnoException) => {
        if (error.code === "EEXIST") return null; // held, or stale: look at the holder below
        throw asWriteError(error, path);
      });
      if (handle) {
        try {
          await handle.writeFile(`${JSON.stringify(owner)}\n`);
          await handle.sync();
        } catch (error) {
          await unlink(path).catch(() => undefined); // no half-written lock left behind (e.g. a full disk)
          throw asWriteError(error, path);
        } finally {
          await handle.close();
        }
        return new RunLock(path, owner);
      }
      const holder = await readLock(root);
      if (holder && ownerAlive(holder)) {
        throw new RunLockedError(`${root} is being trained by ${describe(holder)}; wait for it or stop it first`);
      }
      notice(
        holder
          ? `tsgan: taking over the lock of ${describe(holder)}: that process is gone`
          : `tsgan: removing an unreadable lock file ${path}`,
      );
      await unlink(path).catch(() => undefined); // a racing process may have removed it first
    }
    throw new RunLockedError(`${root}: another process took the lock at the same moment; try again`);
  }

  /** Removes the lock if it is still ours. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    process.removeListener("exit", this.onExit);
    const holder = await readLock(this.path.slice(0, -LOCK_FILE.length - 1));
    if (holder && holder.pid === this.owner.pid && holder.startedAt === this.owner.startedAt) {
      await unlink(this.path).catch(() => undefined);
    }
  }

  private releaseSync(): void {
    if (this.released) return;
    this.released = true;
    try {
      const holder = JSON.parse(readFileSync(this.path, "utf8")) as LockOwner;
      if (holder.pid === this.owner.pid && holder.startedAt === this.owner.startedAt) {
        unlinkSync(this.path); // an "exit" listener cannot await
      }
    } catch {
      // already gone
    }
  }
}
