import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { FileWriteError, temporaryPathFor, writeFileAtomic } from "../../../src/node/visual/files.js";

describe("writeFileAtomic", () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "tsgan-files-"));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("creates parent directories and writes strings as UTF-8", async () => {
    const path = join(directory, "a", "b", "status.json");
    await writeFileAtomic(path, '{"state":"running","note":"D(G(z)) ≈ ½"}');
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({
      state: "running",
      note: "D(G(z)) ≈ ½",
    });
  });

  it("replaces existing content and leaves no temporary files", async () => {
    const path = join(directory, "grid.png");
    await writeFile(path, "old content that is longer than the new one");
    const bytes = new Uint8Array([137, 80, 78, 71, 0, 255]);
    await writeFileAtomic(path, bytes);
    expect(new Uint8Array(await readFile(path))).toEqual(bytes);
    expect(await readdir(directory)).toEqual(["grid.png"]);
  });

  it("survives concurrent writers to one path: the file holds one writer's whole content", async () => {
    const path = join(directory, "status.json");
    const contents = Array.from({ length: 8 }, (_, index) => `writer ${index} `.repeat(1000));
    await Promise.all(contents.map((content) => writeFileAtomic(path, content)));
    expect(contents).toContain(await readFile(path, "utf8"));
    expect(await readdir(directory)).toEqual(["status.json"]);
  });

  it("removes its temporary file when the rename fails", async () => {
    // Renaming a file over a non-empty directory fails; the temporary sibling must not be left behind.
    const target = join(directory, "occupied");
    await mkdir(join(target, "inner"), { recursive: true });
    await expect(writeFileAtomic(target, "data")).rejects.toThrow();
    expect(await readdir(directory)).toEqual(["occupied"]);
  });

  it("says in one line when the path runs through a file", async () => {
    const file = join(directory, "plain");
    await writeFile(file, "x");
    const under = join(file, "report.json");
    await expect(writeFileAtomic(under, "data")).rejects.toThrow(FileWriteError);
    await expect(writeFileAtomic(under, "data")).rejects.toThrow(
      `cannot write ${under}: a part of the path is a file, not a directory`,
    );
    expect(await readFile(file, "utf8")).toBe("x");
  });

  it("names temporary files beside the target with the pid", () => {
    const temporary = temporaryPathFor(join(directory, "x.json"));
    expect(temporary.startsWith(join(directory, `x.json.tmp-${process.pid}-`))).toBe(true);
  });
});
