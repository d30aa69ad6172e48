/**
 * NumPy's .npy format, version 1.0 (numpy/lib/format.py, NEP 1), written from bytes alone (isomorphic): what
 * `tsgan sample --out x.npy` hands to numpy, torch-fidelity or clean-fid.
 *
 *   "\x93NUMPY" | major 1 | minor 0 | HEADER_LEN (uint16, little-endian) | header | data
 *
 * The header is an ASCII Python dict literal — {'descr': '<f4', 'fortran_order': False, 'shape': (N, H, W, C), } —
 * padded with spaces and ended by "\n" so that 10 + HEADER_LEN is a multiple of 64 (the data then starts aligned).
 * The data follows in C (row-major) order, little-endian.
 */

/** The magic string's bytes: 0x93 then "NUMPY". */
export const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59] as const;
/** Magic (6) + version (2) + HEADER_LEN (2). */
const PREAMBLE_BYTES = 10;
/** The header is padded so that the data starts at a multiple of this (numpy's ARRAY_ALIGN). */
export const NPY_ALIGNMENT = 64;
/** Version 1.0 stores HEADER_LEN in two bytes. */
const MAX_HEADER_BYTES = 0xffff;

/** The typed arrays written, and their numpy type strings ('<' little-endian, '|' byte order irrelevant). */
export type NpyValues = Float32Array | Int32Array | Uint8Array;

function descriptor(values: NpyValues): string {
  if (values instanceof Float32Array) return "<f4";
  if (values instanceof Int32Array) return "<i4";
  return "|u1";
}

/** A shape as a Python tuple: (3,) for one axis, (2, 3) for two, () for a scalar. */
function pythonTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

/** The array `values` of `shape` (row-major) as .npy bytes. */
export function encodeNpy(values: NpyValues, shape: readonly number[]): Uint8Array {
  const size = shape.reduce((product, side) => product * side, 1);
  if (!shape.every((side) => Number.isInteger(side) && side >= 0) || size !== values.length) {
    throw new Error(`npy: shape (${shape}) holds ${size} values, the array has ${values.length}`);
  }
  const dictionary = `{'descr': '${descriptor(values)}', 'fortran_order': False, 'shape': ${pythonTuple(shape)}, }`;
  const unpadded = PREAMBLE_BYTES + dictionary.length + 1; // + "\n"
  const padding = (NPY_ALIGNMENT - (unpadded % NPY_ALIGNMENT)) % NPY_ALIGNMENT;
  const header = `${dictionary}${" ".repeat(padding)}\n`;
  if (header.length > MAX_HEADER_BYTES) throw new Error(`npy: a header of ${header.length} bytes needs version 2.0`);

  const bytes = new Uint8Array(PREAMBLE_BYTES + header.length + values.byteLength);
  const view = new DataView(bytes.buffer);
  bytes.set(NPY_MAGIC, 0);
  bytes[6] = 1; // major version
  bytes[7] = 0; // minor version
  view.setUint16(8, header.length, true);
  for (let index = 0; index < header.length; index++) bytes[PREAMBLE_BYTES + index] = header.charCodeAt(index);
  const start = PREAMBLE_BYTES + header.length;
  // Written element by element through a DataView, so the file is little-endian whatever the machine's byte order.
  if (values instanceof Float32Array) {
    values.forEach((value, index) => view.setFloat32(start + 4 * index, value, true));
  } else if (values instanceof Int32Array) {
    values.forEach((value, index) => view.setInt32(start + 4 * index, value, true));
  } else {
    bytes.set(values, start);
  }
  return bytes;
}
