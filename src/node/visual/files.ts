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
 * written as UTF-8. On failure the temporary file is removed and the error rethrown; `path` keeps its old content.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const directory = dirname(path);
  await mkdir(directory, { recursive: true });
  const temporaryPath = temporaryPathFor(path);
  try {
    const handle = await open(temporaryPath, "w");
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporaryPath, path);
  } catch (error) {
    await rm(temporaryPath, { force: true });
    throw error;
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
