import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";

import { DataError } from "../../../src/core/data/errors.js";
import {
  IDX_IMAGES_MAGIC,
  IDX_LABELS_MAGIC,
  IDX_TYPES,
  MAX_IDX_DIMENSIONS,
  describeIdxMagic,
  encodeIdx,
  idxMagic,
  isGzipped,
  parseIdx,
  type IdxArray,
  type IdxType,
} from "../../../src/core/data/idx.js";

const SOURCE = "fixtures/sample-idx3-ubyte";

/** A tiny image file: 2 images of 3×4 pixels, pixel values 0..23. */
function tinyImages(): Uint8Array {
  const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, index) => index);
  return encodeIdx({ type: "ubyte", dims: [2, 3, 4], data });
}

/** Runs `action`, expects a DataError, and returns its message (checked to be one line naming `SOURCE`). */
function dataErrorMessage(action: () => unknown, source = SOURCE): string {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(DataError);
  const error = caught as DataError;
  expect(error.name).toBe("DataError");
  expect(error.message).not.toContain("\n");
  expect(error.message.startsWith(source)).toBe(true);
  return error.message;
}

describe("parseIdx on good files", () => {
  it("reads a hand-written labels file byte by byte (big-endian header)", () => {
    // magic 00 00 08 01 (ubyte, 1 dimension) | size 00 00 00 03 | data 07 02 09
    const bytes = Uint8Array.from([0, 0, 0x08, 0x01, 0, 0, 0, 3, 7, 2, 9]);
    const parsed = parseIdx(bytes, SOURCE);
    expect(parsed.magic).toBe(IDX_LABELS_MAGIC);
    expect(parsed.type).toBe("ubyte");
    expect(parsed.dims).toEqual([3]);
    expect(parsed.data).toBeInstanceOf(Uint8Array);
    expect([...parsed.data]).toEqual([7, 2, 9]);
    expect(parsed.source).toBe(SOURCE);
  });

  it("reads multi-byte dimension sizes and elements big-endian", () => {
    // magic 00 00 0B 01 (short, 1 dimension) | size 00 00 01 02 = 258 | 258 shorts, first 0x0102 = 258, then −2
    const count = 0x0102;
    const bytes = new Uint8Array(8 + 2 * count);
    bytes.set([0, 0, 0x0b, 0x01, 0, 0, 0x01, 0x02, 0x01, 0x02, 0xff, 0xfe]);
    const parsed = parseIdx(bytes, SOURCE);
    expect(parsed.dims).toEqual([count]);
    expect(parsed.data).toBeInstanceOf(Int16Array);
    expect(parsed.data[0]).toBe(258);
    expect(parsed.data[1]).toBe(-2);
  });

  it("reads an MNIST-style image file with magic 2051", () => {
    const parsed = parseIdx(tinyImages(), SOURCE, { expectedMagic: IDX_IMAGES_MAGIC });
    expect(parsed.magic).toBe(IDX_IMAGES_MAGIC);
    expect(parsed.dims).toEqual([2, 3, 4]);
    expect(parsed.data.length).toBe(24);
    expect(parsed.data[23]).toBe(23);
  });

  it("copies the data out of the input bytes", () => {
    const bytes = tinyImages();
    const parsed = parseIdx(bytes, SOURCE);
    bytes[bytes.length - 1] = 99;
    expect(parsed.data[23]).toBe(23);
  });

  it("accepts an empty array (a zero-sized dimension)", () => {
    const parsed = parseIdx(encodeIdx({ type: "ubyte", dims: [0, 28, 28], data: new Uint8Array(0) }), SOURCE);
    expect(parsed.dims).toEqual([0, 28, 28]);
    expect(parsed.data.length).toBe(0);
  });
});

describe("parseIdx rejects bad files with a one-line DataError naming the source", () => {
  it("wrong magic: first two bytes not zero", () => {
    const bytes = tinyImages();
    bytes[0] = 0x12;
    expect(dataErrorMessage(() => parseIdx(bytes, SOURCE))).toMatch(/not an IDX file/);
  });

  it("wrong magic: a labels file where images were expected", () => {
    const labels = encodeIdx({ type: "ubyte", dims: [2], data: Uint8Array.from([1, 2]) });
    const message = dataErrorMessage(() => parseIdx(labels, SOURCE, { expectedMagic: IDX_IMAGES_MAGIC }));
    expect(message).toContain("2049");
    expect(message).toContain("expected 2051");
  });

  it("unknown type byte", () => {
    const bytes = tinyImages();
    bytes[2] = 0x0a;
    expect(dataErrorMessage(() => parseIdx(bytes, SOURCE))).toMatch(/type byte 0xa/);
  });

  it("zero dimensions and too many dimensions", () => {
    expect(dataErrorMessage(() => parseIdx(Uint8Array.from([0, 0, 8, 0]), SOURCE))).toMatch(/0 dimensions/);
    const many = new Uint8Array(4 + 4 * (MAX_IDX_DIMENSIONS + 1));
    many.set([0, 0, 8, MAX_IDX_DIMENSIONS + 1]);
    expect(dataErrorMessage(() => parseIdx(many, SOURCE))).toMatch(/9 dimensions/);
  });

  it("truncated: shorter than the magic number, than the header, and than the data", () => {
    expect(dataErrorMessage(() => parseIdx(Uint8Array.from([0, 0]), SOURCE))).toMatch(/truncated/);
    const bytes = tinyImages();
    expect(dataErrorMessage(() => parseIdx(bytes.subarray(0, 10), SOURCE))).toMatch(/truncated IDX header/);
    const message = dataErrorMessage(() => parseIdx(bytes.subarray(0, bytes.length - 1), SOURCE));
    expect(message).toMatch(/truncated/);
    expect(message).toContain("[2, 3, 4]");
    expect(message).toContain(`need ${bytes.length} bytes, found ${bytes.length - 1}`);
  });

  it("truncated: a header whose sizes promise far more data than present", () => {
    const bytes = tinyImages();
    bytes[4] = 0xff; // count becomes 0xff000002
    expect(dataErrorMessage(() => parseIdx(bytes, SOURCE))).toMatch(/truncated/);
  });

  it("trailing bytes after the data", () => {
    const good = tinyImages();
    const padded = new Uint8Array(good.length + 3);
    padded.set(good);
    expect(dataErrorMessage(() => parseIdx(padded, SOURCE))).toMatch(/^\S+: 3 trailing bytes/);
  });

  it("gzipped bytes: says so instead of 'wrong magic'", () => {
    const gzipped = new Uint8Array(gzipSync(tinyImages()));
    expect(isGzipped(gzipped)).toBe(true);
    expect(isGzipped(tinyImages())).toBe(false);
    expect(dataErrorMessage(() => parseIdx(gzipped, SOURCE))).toMatch(/gzipped/);
  });
});

describe("encodeIdx", () => {
  const samples: Record<IdxType, number[]> = {
    ubyte: [0, 1, 127, 255, 42, 9],
    byte: [-128, -1, 0, 1, 127, 5],
    short: [-32768, -2, 0, 258, 32767, 7],
    int: [-2147483648, -65536, 0, 16777216, 2147483647, 3],
    float: [-1.5, 0, 0.25, 3.4e38, -1e-30, 1],
    double: [-Math.PI, 0, 1e-300, 1e300, 2 ** 53, -0.5],
  };

  for (const type of Object.keys(samples) as IdxType[]) {
    it(`round-trips ${type} through parseIdx`, () => {
      const typed = new IDX_TYPES[type].array(samples[type].length);
      typed.set(samples[type]);
      const original: IdxArray = { magic: idxMagic(type, 2), type, dims: [2, 3], data: typed };
      const parsed = parseIdx(encodeIdx(original), SOURCE);
      expect(parsed.type).toBe(type);
      expect(parsed.magic).toBe(idxMagic(type, 2));
      expect(parsed.dims).toEqual([2, 3]);
      expect(parsed.data).toBeInstanceOf(IDX_TYPES[type].array);
      expect([...parsed.data]).toEqual([...typed]);
    });
  }

  it("writes the header big-endian", () => {
    const bytes = encodeIdx({ type: "int", dims: [1], data: Int32Array.from([0x01020304]) });
    expect([...bytes]).toEqual([0, 0, 0x0c, 1, 0, 0, 0, 1, 1, 2, 3, 4]);
  });

  it("rejects data that does not match the type or the dimensions", () => {
    expect(() => encodeIdx({ type: "float", dims: [2], data: Uint8Array.from([1, 2]) })).toThrow(RangeError);
    expect(() => encodeIdx({ type: "ubyte", dims: [3], data: Uint8Array.from([1, 2]) })).toThrow(/hold 3 elements/);
    expect(() => encodeIdx({ type: "ubyte", dims: [], data: new Uint8Array(0) })).toThrow(RangeError);
  });
});

describe("magic numbers", () => {
  it("2051 and 2049 are MNIST's ubyte images and labels", () => {
    expect(idxMagic("ubyte", 3)).toBe(IDX_IMAGES_MAGIC);
    expect(idxMagic("ubyte", 1)).toBe(IDX_LABELS_MAGIC);
    expect(describeIdxMagic(IDX_IMAGES_MAGIC)).toBe("2051 (ubyte, 3 dimensions)");
    expect(describeIdxMagic(0x1f8b0808)).toMatch(/not IDX/);
  });
});
