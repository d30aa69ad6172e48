/**
 * The .npy and CSV encoders, read back by readers that share no code with them: a small .npy parser written here
 * from the format's description (numpy/lib/format.py), and numpy itself (python3-numpy: scripts/system-packages.sh
 * installs it, so the numpy check always runs).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { encodeCsv } from "../../../src/core/export/csv.js";
import { encodeNpy } from "../../../src/core/export/npy.js";
import { encodeSampleFile, labelsPathFor, toUnitInterval } from "../../../src/core/export/sampleFiles.js";

const PYTHON = "/usr/bin/python3";
const scratch = mkdtempSync(join(tmpdir(), "tsgan-npy-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface ParsedNpy {
  version: [number, number];
  headerLength: number;
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  values: number[];
}

/** An independent .npy v1 reader: magic, version, header length, the dict's three keys, then the data. */
function parseNpy(bytes: Uint8Array): ParsedNpy {
  const magic = String.fromCharCode(...bytes.subarray(1, 6));
  if (bytes[0] !== 0x93 || magic !== "NUMPY") throw new Error("not an npy file");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint16(8, true);
  const header = new TextDecoder("latin1").decode(bytes.subarray(10, 10 + headerLength));
  if (!header.endsWith("\n")) throw new Error("header does not end with a newline");
  const descr = /'descr':\s*'([^']+)'/.exec(header)![1]!;
  const fortranOrder = /'fortran_order':\s*(True|False)/.exec(header)![1] === "True";
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)![1]!;
  const shape = shapeText
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map(Number);
  const start = 10 + headerLength;
  const count = shape.reduce((a, b) => a * b, 1);
  const reader: Record<string, [number, (offset: number) => number]> = {
    "<f4": [4, (offset) => view.getFloat32(offset, true)],
    "<i4": [4, (offset) => view.getInt32(offset, true)],
    "|u1": [1, (offset) => view.getUint8(offset)],
  };
  const [width, read] = reader[descr]!;
  if (bytes.byteLength !== start + count * width) throw new Error(`data holds ${bytes.byteLength - start} bytes`);
  const values = Array.from({ length: count }, (_, index) => read(start + index * width));
  return { version: [bytes[6]!, bytes[7]!], headerLength, descr, fortranOrder, shape, values };
}

/** Runs python3 with numpy on `script`; resolves with stdout. */
function python(script: string): Promise<string> {
  return new Promise((done, fail) =>
    execFile(PYTHON, ["-c", script], { encoding: "utf8", timeout: 60_000 }, (error, stdout, stderr) =>
      error
        ? fail(new Error(`${PYTHON} with numpy failed (apt-get install -y python3-numpy): ${error.message}\n${stderr}`))
        : done(stdout),
    ),
  );
}

/** Values that exercise float32's edges: negatives, subnormal-free tiny numbers, large ones, non-terminating decimals. */
function awkwardFloats(count: number): Float32Array {
  return Float32Array.from({ length: count }, (_, index) => (index % 2 ? -1 : 1) * (index / 7) ** 3 + 1e-6 * index);
}

describe(".npy encoder", () => {
  it("writes version 1.0 with a header that aligns the data to 64 bytes, for every shape length", () => {
    for (const shape of [[5], [3, 2], [2, 3, 4, 1], [50, 28, 28, 1], [0, 2]]) {
      const values = awkwardFloats(shape.reduce((a, b) => a * b, 1));
      const bytes = encodeNpy(values, shape);
      const parsed = parseNpy(bytes);
      expect(parsed.version).toEqual([1, 0]);
      expect((10 + parsed.headerLength) % 64).toBe(0);
      expect(parsed).toMatchObject({ descr: "<f4", fortranOrder: false, shape });
      expect(parsed.values).toEqual(Array.from(values));
    }
  });

  it("writes uint8 and int32 arrays (labels) with their own type strings", () => {
    const bytes = Uint8Array.from([0, 7, 255]);
    expect(parseNpy(encodeNpy(bytes, [3]))).toMatchObject({ descr: "|u1", shape: [3], values: [0, 7, 255] });
    const ints = Int32Array.from([-2, 0, 70_000]);
    expect(parseNpy(encodeNpy(ints, [3]))).toMatchObject({ descr: "<i4", values: [-2, 0, 70_000] });
  });

  it("refuses a shape that does not hold the array", () => {
    expect(() => encodeNpy(new Float32Array(6), [4, 2])).toThrow(/holds 8 values, the array has 6/);
  });

  it("is read by numpy with the same dtype, shape and values", async () => {
    const values = awkwardFloats(2 * 3 * 4 * 1);
    const samples = join(scratch, "floats.npy");
    const labels = join(scratch, "labels.npy");
    writeFileSync(samples, encodeNpy(values, [2, 3, 4, 1]));
    writeFileSync(labels, encodeNpy(Uint8Array.from([3, 9]), [2]));
    const report = JSON.parse(
      await python(
        [
          "import json, numpy",
          `a = numpy.load(${JSON.stringify(samples)}); b = numpy.load(${JSON.stringify(labels)})`,
          "print(json.dumps({'dtype': str(a.dtype), 'shape': list(a.shape), 'c': a.flags['C_CONTIGUOUS'],",
          "  'values': [float(v) for v in a.ravel()], 'labelType': str(b.dtype), 'labels': b.tolist()}))",
        ].join("\n"),
      ),
    ) as { dtype: string; shape: number[]; c: boolean; values: number[]; labelType: string; labels: number[] };
    expect(report).toMatchObject({
      dtype: "float32",
      shape: [2, 3, 4, 1],
      c: true,
      labelType: "uint8",
      labels: [3, 9],
    });
    expect(report.values).toEqual(Array.from(values)); // float32 → Python float is exact
  });
});

describe("CSV encoder", () => {
  it("writes a header and rows that parse back to the same float32 values", () => {
    const values = awkwardFloats(6);
    const text = encodeCsv(values, 2);
    const [header, ...rows] = text.trimEnd().split("\n");
    expect(header).toBe("x,y");
    expect(rows).toHaveLength(3);
    const parsed = rows.flatMap((row) => row.split(",").map(Number));
    expect(Float32Array.from(parsed)).toEqual(values);
    expect(encodeCsv(Float32Array.from([0.5, -2]), 1)).toBe("x\n0.5\n-2\n");
  });

  it("adds a label column for conditional samples and refuses a label count that does not match", () => {
    expect(encodeCsv(Float32Array.from([1, 2, 3, 4]), 2, [7, 1])).toBe("x,y,label\n1,2,7\n3,4,1\n");
    expect(() => encodeCsv(new Float32Array(4), 2, [1])).toThrow(/1 labels for 2 samples/);
  });
});

describe("sample files", () => {
  it("maps images from G's output range to [0, 1] and keeps toys as generated", () => {
    const tanh = Float32Array.from([-1, 0, 0.5, 1]);
    expect(Array.from(toUnitInterval(tanh, [-1, 1]))).toEqual([0, 0.5, 0.75, 1]);
    const image = encodeSampleFile("npy", { values: tanh, dataShape: [2, 2, 1], outputRange: [-1, 1] });
    expect(parseNpy(image.samples as Uint8Array)).toMatchObject({ shape: [1, 2, 2, 1], values: [0, 0.5, 0.75, 1] });
    const toy = encodeSampleFile("npy", { values: tanh, dataShape: [2], outputRange: null });
    expect(parseNpy(toy.samples as Uint8Array)).toMatchObject({ shape: [2, 2], values: [-1, 0, 0.5, 1] });
  });

  it("writes labels into a .labels.npy beside the samples, and refuses CSV for images", () => {
    const encoded = encodeSampleFile("npy", {
      values: new Float32Array(8),
      dataShape: [2, 2, 1],
      outputRange: [0, 1],
      labels: Uint8Array.from([4, 2]),
    });
    expect(parseNpy(encoded.labels!)).toMatchObject({ descr: "|u1", shape: [2], values: [4, 2] });
    expect(labelsPathFor("out/samples.npy")).toBe("out/samples.labels.npy");
    expect(() =>
      encodeSampleFile("csv", { values: new Float32Array(4), dataShape: [2, 2, 1], outputRange: [0, 1] }),
    ).toThrow(/CSV holds toy samples/);
  });
});
