/**
 * Mode-collapse signal: during training, the number of modes (2-D toys) or classes (images) a generator covers is
 * measured every few steps; a fall well below the best seen so far prints one warning per episode.
 */

/** Losing this many covered modes/classes relative to the best seen counts as a collapse signal. */
export const COLLAPSE_DROP = 2;

/** How many modes or classes an evaluation found covered, of how many. */
export interface CoverageObservation {
  /** What was counted, for the message: "modes" or "classes". */
  what: string;
  covered: number;
  total: number;
}

export class CollapseMonitor {
  private best = 0;
  private warned = false;

  /** Records one measurement; returns a one-line warning when coverage has fallen by COLLAPSE_DROP or more. */
  observe(step: number, observation: CoverageObservation): string | null {
    const { what, covered, total } = observation;
    if (covered >= this.best) {
      this.best = covered;
      this.warned = false; // recovered: a later fall is a new episode
      return null;
    }
    if (this.best - covered < COLLAPSE_DROP || this.warned) return null;
    this.warned = true;
    return `step ${step}: ${what} covered fell from ${this.best} to ${covered} of ${total} (mode collapse?)`;
  }
}
