/**
 * Atomic file writes for the run directory (samples, plots, status, checkpoints).
 *
 * A reader — the lab, `tsgan sample`, a resumed run — must never see a half-written file, even if the process is
 * killed mid-write. So each write goes to a temporary sibling, is flushed to disk, and is renamed over the target:
 * rename within one directory is atomic on POSIX file systems, so the target holds either the old or the new content.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** Why a write can fail for reasons outside tsgan, in words a user can act on. */
const WRITE_FAILURES: Readonly<Record<string, string>> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EROFS: "the file system is read-only",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EIO: "input/output error",
  // A path the user chose (e.g. `tsgan eval --out`) that runs through a file: mkdir says EEXIST, open ENOTDIR.
  EEXIST: "a part of the path is a file, not a directory",
  ENOTDIR: "a part of the path is a file, not a directory",
  EISDIR: "it is a directory",
};

/** A file of a run (or another output) could not be written; its one-line message names the file and why. */
export class FileWriteError extends Error {
  override name = "FileWriteError";
  constructor(
    readonly path: string,
    readonly code: string,
  ) {
    super(`cannot write ${path}: ${WRITE_FAILURES[code] ?? code} (${code})`);
  }
}

/** Turns a file-system error with a known code into a FileWriteError for `path`; anything else passes through. */
export function asWriteError(error: unknown, path: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code && code in WRITE_FAILURES ? new FileWriteError(path, code) : error;
}

/** Bytes of randomness in a temporary name: enough that two writers in one process never collide. */
const TEMPORARY_SUFFIX_RANDOM_BYTES = 6;

/**
 * The temporary sibling used while writing `path`: `<path>.tmp-<pid>-<random hex>`, in the same directory as `path`
 * so the final rename never crosses a file-system boundary.
 */
export function temporaryPathFor(path: string): string {
  const random = randomBytes(TEMPORARY_SUFFIX_RANDOM_BYTES).toString("hex");
  return join(dirname(path), `${basename(path)}.tmp-${process.pid}-${random}`);
}

/**
 * Write `data` to `path` atomically: write a temporary sibling, fsync it, rename it into place, then fsync the
 * directory (best effort) so the rename itself survives a crash. Creates missing parent directories. Strings are
 * written as UTF-8. On failure the temporary file is removed and the error rethrown (a FileWriteError naming `path`
 * when the disk is full, read-only or refuses us); `path` keeps its old content.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const directory = dirname(path);
  const temporaryPath = temporaryPathFor(path);
  try {
    await mkdir(directory, { recursive: true });
    const handle = await open(temporaryPath, "w");
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporaryPath, path);
  } catch (error) {
    await rm(temporaryPath, { force: true }).catch(() => undefined); // on a read-only file system this fails too
    throw asWriteError(error, path);
  }
  await syncDirectory(directory);
}

/**
 * fsync a directory so a completed rename is durable. Some platforms (Windows) and file systems refuse to open or
 * sync directories; durability of the entry is then up to the OS, and the content was already synced, so ignore it.
 */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort only; see the doc comment.
  }
}
