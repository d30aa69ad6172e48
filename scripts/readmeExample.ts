/**
 * The README's library example: the first ```ts block under "## Use tsgan as a library". Its test
 * (test/api/readmeExample.test.ts) runs it against the sources, and scripts/pack-check.sh type-checks and runs it
 * against the installed package, so the example cannot drift from the API.
 *
 *   npx tsx scripts/readmeExample.ts [README.md]   prints the block
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The heading the example sits under. */
export const LIBRARY_HEADING = "## Use tsgan as a library";

/** The example's code, from the README's text; throws when the section or its code block is missing. */
export function libraryExample(readme: string): string {
  const section = readme.indexOf(`\n${LIBRARY_HEADING}\n`);
  if (section < 0) throw new Error(`README has no "${LIBRARY_HEADING}" section`);
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(section));
  if (!block) throw new Error(`README's "${LIBRARY_HEADING}" section has no ts code block`);
  return block[1]!;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(libraryExample(readFileSync(process.argv[2] ?? "README.md", "utf8")));
}
