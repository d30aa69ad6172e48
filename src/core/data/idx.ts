/**
 * The IDX file format (http://yann.lecun.com/exdb/mnist/), parsed from and encoded to bytes.
 *
 * Layout, all multi-byte numbers big-endian:
 *   bytes 0–1   zero
 *   byte  2     element type: 0x08 ubyte, 0x09 byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double
 *   byte  3     number of dimensions
 *   then        one uint32 per dimension (the sizes)
 *   then        the elements, row-major, each big-endian
 * Read as one big-endian uint32, the first four bytes are the "magic number": 2051 (0x00000803) for MNIST's 3-D ubyte
 * image files, 2049 (0x00000801) for its 1-D ubyte label files.
 *
 * This file is isomorphic (no `node:` imports): Node reads and gunzips files (src/node/datasets.ts), the browser fetches
 * them; both hand the bytes here.
 */

import { DataError } from "./errors.js";

/** Magic number of an IDX file of ubyte images [count, height, width] (MNIST's *-images-idx3-ubyte). */
export const IDX_IMAGES_MAGIC = 2051;
/** Magic number of an IDX file of ubyte labels [count] (MNIST's *-labels-idx1-ubyte). */
export const IDX_LABELS_MAGIC = 2049;

/**
 * The most dimensions accepted. Real IDX files have 1 (labels) to 4 (colour images); a larger count almost always means
 * the file is not IDX at all, and rejecting it early gives a clearer message than a "truncated" one.
 */
export const MAX_IDX_DIMENSIONS = 8;

/** Bytes 0–3: two zero bytes, the type byte and the dimension count. */
const MAGIC_BYTES = 4;
/** Each dimension size is one uint32. */
const DIMENSION_BYTES = 4;
/** The first two bytes of every gzip stream (RFC 1952). */
const GZIP_MAGIC = [0x1f, 0x8b] as const;
const BIG_ENDIAN = false; // DataView's littleEndian flag
const HEX_RADIX = 16;
const MAGIC_HEX_DIGITS = 8;

/** The element type of an IDX file, by name. */
export type IdxType = "ubyte" | "byte" | "short" | "int" | "float" | "double";

/** The typed array that holds each element type's values. */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A parsed IDX file. */
export interface IdxArray {
  /** The first four bytes as a big-endian uint32: (type byte << 8) | dimension count. */
  magic: number;
  /** The element type. */
  type: IdxType;
  /** The dimension sizes, outermost first, e.g. [60000, 28, 28] for MNIST's training images. */
  dims: number[];
  /** The elements, row-major, in the typed array matching `type` (`IDX_TYPES[type].array`), host byte order. */
  data: IdxData;
  /** Where the bytes came from (a path or URL), for error messages further down; absent for arrays built in code. */
  source?: string;
}

interface IdxTypeInfo {
  /** The type byte (byte 2 of the file). */
  code: number;
  /** Bytes per element. */
  size: number;
  /** The typed array constructor that holds this type's values. */
  array: { new (length: number): IdxData; readonly name: string };
  /** Reads one big-endian element. */
  read(view: DataView, offset: number): number;
  /** Writes one big-endian element. */
  write(view: DataView, offset: number, value: number): void;
}

/** Per element type: its type byte, its size, its typed array and its big-endian accessors. */
export const IDX_TYPES: Readonly<Record<IdxType, Readonly<IdxTypeInfo>>> = {
  ubyte: {
    code: 0x08,
    size: 1,
    array: Uint8Array,
    read: (view, offset) => view.getUint8(offset),
    write: (view, offset, value) => view.setUint8(offset, value),
  },
  byte: {
    code: 0x09,
    size: 1,
    array: Int8Array,
    read: (view, offset) => view.getInt8(offset),
    write: (view, offset, value) => view.setInt8(offset, value),
  },
  short: {
    code: 0x0b,
    size: 2,
    array: Int16Array,
    read: (view, offset) => view.getInt16(offset, BIG_ENDIAN),
    write: (view, offset, value) => view.setInt16(offset, value, BIG_ENDIAN),
  },
  int: {
    code: 0x0c,
    size: 4,
    array: Int32Array,
    read: (view, offset) => view.getInt32(offset, BIG_ENDIAN),
    write: (view, offset, value) => view.setInt32(offset, value, BIG_ENDIAN),
  },
  float: {
    code: 0x0d,
    size: 4,
    array: Float32Array,
    read: (view, offset) => view.getFloat32(offset, BIG_ENDIAN),
    write: (view, offset, value) => view.setFloat32(offset, value, BIG_ENDIAN),
  },
  double: {
    code: 0x0e,
    size: 8,
    array: Float64Array,
    read: (view, offset) => view.getFloat64(offset, BIG_ENDIAN),
    write: (view, offset, value) => view.setFloat64(offset, value, BIG_ENDIAN),
  },
};

const TYPE_BY_CODE = new Map<number, IdxType>(
  (Object.keys(IDX_TYPES) as IdxType[]).map((type) => [IDX_TYPES[type].code, type]),
);

/** Options for `parseIdx`. */
export interface ParseIdxOptions {
  /** When given, any other magic number is a DataError (e.g. `IDX_IMAGES_MAGIC` for an MNIST image file). */
  expectedMagic?: number;
}

/** The magic number of an IDX file with the given element type and dimension count. */
export function idxMagic(type: IdxType, dimensionCount: number): number {
  return (IDX_TYPES[type].code << 8) | dimensionCount;
}

/** A readable account of a magic number, e.g. "2051 (ubyte, 3 dimensions)" or "0x1f8b0808 (not IDX)". */
export function describeIdxMagic(magic: number): string {
  const typeCode = (magic >>> 8) & 0xff;
  const dimensionCount = magic & 0xff;
  const type = TYPE_BY_CODE.get(typeCode);
  if (magic >>> 16 !== 0 || type === undefined) {
    return `0x${(magic >>> 0).toString(HEX_RADIX).padStart(MAGIC_HEX_DIGITS, "0")} (not IDX)`;
  }
  return `${magic} (${type}, ${dimensionCount} dimension${dimensionCount === 1 ? "" : "s"})`;
}

/** True when the bytes start with the gzip magic (1f 8b): they must be gunzipped before `parseIdx`. */
export function isGzipped(bytes: Uint8Array): boolean {
  return bytes.length >= GZIP_MAGIC.length && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

/**
 * Parses an IDX file held in memory. `source` (a path or URL) starts every error message.
 *
 * Throws `DataError` for gzipped bytes, a magic number whose first two bytes are not zero, an unknown type byte, zero or
 * more than `MAX_IDX_DIMENSIONS` dimensions, a magic other than `options.expectedMagic`, fewer bytes than the header and
 * dimensions promise (truncated), and bytes left over after the data (trailing garbage).
 */
export function parseIdx(bytes: Uint8Array, source: string, options: ParseIdxOptions = {}): IdxArray {
  if (isGzipped(bytes)) {
    throw new DataError(`${source}: the data is gzipped; decompress it (gunzip) before parsing it as IDX`);
  }
  if (bytes.length < MAGIC_BYTES) {
    throw new DataError(
      `${source}: truncated IDX file: ${bytes.length} bytes, the magic number alone needs ${MAGIC_BYTES}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, BIG_ENDIAN);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataError(
      `${source}: not an IDX file: magic number ${describeIdxMagic(magic)} must start with two zero bytes`,
    );
  }
  const typeCode = bytes[2]!;
  const type = TYPE_BY_CODE.get(typeCode);
  if (type === undefined) {
    const known = [...TYPE_BY_CODE].map(([code, name]) => `0x0${code.toString(HEX_RADIX)} ${name}`).join(", ");
    throw new DataError(`${source}: unknown IDX element type byte 0x${typeCode.toString(HEX_RADIX)} (known: ${known})`);
  }
  const dimensionCount = bytes[3]!;
  if (dimensionCount === 0 || dimensionCount > MAX_IDX_DIMENSIONS) {
    throw new DataError(
      `${source}: IDX file declares ${dimensionCount} dimensions; expected 1 to ${MAX_IDX_DIMENSIONS}`,
    );
  }
  if (options.expectedMagic !== undefined && magic !== options.expectedMagic) {
    throw new DataError(
      `${source}: magic number ${describeIdxMagic(magic)}, expected ${describeIdxMagic(options.expectedMagic)}`,
    );
  }
  const headerLength = MAGIC_BYTES + DIMENSION_BYTES * dimensionCount;
  if (bytes.length < headerLength) {
    throw new DataError(
      `${source}: truncated IDX header: ${bytes.length} bytes, ${dimensionCount} dimension sizes need ${headerLength}`,
    );
  }
  const dims: number[] = [];
  for (let axis = 0; axis < dimensionCount; axis++) {
    dims.push(view.getUint32(MAGIC_BYTES + DIMENSION_BYTES * axis, BIG_ENDIAN));
  }
  const info = IDX_TYPES[type];
  const elementCount = dims.reduce((product, size) => product * size, 1);
  const expectedLength = headerLength + elementCount * info.size;
  if (bytes.length < expectedLength) {
    throw new DataError(
      `${source}: truncated IDX file: dimensions [${dims.join(", ")}] of ${type} ` +
        `need ${expectedLength} bytes, found ${bytes.length}`,
    );
  }
  if (bytes.length > expectedLength) {
    throw new DataError(
      `${source}: ${bytes.length - expectedLength} trailing bytes after the data of dimensions ` +
        `[${dims.join(", ")}] of ${type} (expected ${expectedLength} bytes in all)`,
    );
  }
  return { magic, type, dims, data: decodeElements(bytes, view, headerLength, elementCount, type), source };
}

/** Copies the elements into a fresh typed array (host byte order), so the file's buffer can be freed. */
function decodeElements(bytes: Uint8Array, view: DataView, offset: number, count: number, type: IdxType): IdxData {
  // new Uint8Array(view) copies; `bytes.slice` would not copy when `bytes` is a Node Buffer (Buffer#slice is a view).
  if (type === "ubyte") return new Uint8Array(bytes.subarray(offset, offset + count));
  const info = IDX_TYPES[type];
  const data = new info.array(count);
  for (let index = 0; index < count; index++) data[index] = info.read(view, offset + index * info.size);
  return data;
}

/**
 * Encodes an array as IDX bytes: the inverse of `parseIdx` (used by tests and to write fixtures). `magic` and `source`
 * are ignored; the magic is derived from `type` and `dims`. Throws RangeError when `data` does not match `type` or `dims`
 * (a programming error, not a user's).
 */
export function encodeIdx(array: Pick<IdxArray, "type" | "dims" | "data">): Uint8Array {
  const { type, dims, data } = array;
  const info = IDX_TYPES[type];
  if (!(data instanceof info.array)) {
    throw new RangeError(`encodeIdx: ${type} data must be a ${info.array.name}, got ${data.constructor.name}`);
  }
  if (dims.length === 0 || dims.length > MAX_IDX_DIMENSIONS) {
    throw new RangeError(`encodeIdx: ${dims.length} dimensions; IDX needs 1 to ${MAX_IDX_DIMENSIONS}`);
  }
  for (const size of dims) {
    if (!Number.isInteger(size) || size < 0 || size > 0xffff_ffff) {
      throw new RangeError(`encodeIdx: dimension size ${size} is not a uint32`);
    }
  }
  const elementCount = dims.reduce((product, size) => product * size, 1);
  if (data.length !== elementCount) {
    throw new RangeError(
      `encodeIdx: dimensions [${dims.join(", ")}] hold ${elementCount} elements, data has ${data.length}`,
    );
  }
  const headerLength = MAGIC_BYTES + DIMENSION_BYTES * dims.length;
  const bytes = new Uint8Array(headerLength + elementCount * info.size);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, idxMagic(type, dims.length), BIG_ENDIAN);
  dims.forEach((size, axis) => view.setUint32(MAGIC_BYTES + DIMENSION_BYTES * axis, size, BIG_ENDIAN));
  if (type === "ubyte") {
    bytes.set(data, headerLength);
  } else {
    for (let index = 0; index < elementCount; index++) info.write(view, headerLength + index * info.size, data[index]!);
  }
  return bytes;
}
