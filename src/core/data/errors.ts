/**
 * Errors a user can cause through the data they point tsgan at: a missing dataset, a file that is not IDX, a truncated
 * download. The CLI prints `error.message` (one line naming the file and what is wrong) and exits non-zero, without a
 * stack trace; anything that is not a `DataError` is a bug and keeps its stack.
 */

/** A user-caused data problem. `message` is one line that names the file (or dataset) and what is wrong with it. */
export class DataError extends Error {
  override readonly name = "DataError";

  constructor(message: string) {
    // Keep the promise of one line even when a caller interpolates something multi-line (e.g. an OS error text).
    super(message.replace(/\s*\n\s*/g, " "));
  }
}
