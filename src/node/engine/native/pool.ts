/**
 * A free list of the large output arrays of native kernels, so that a training loop reuses the same few hundred
 * megabytes every step instead of allocating (and page-faulting, and garbage-collecting) fresh zeroed arrays.
 *
 * Safety rule: an array returns to the free list only when its tensor's data is released by the backend AND
 * nothing else can still see its memory. Memory "escapes" (is never reused) when its values are read out
 * (dataSync, data, array, buffer: the backend hands out the array itself) or when a cpu kernel returns a view on
 * it under a new data id (e.g. a simple Slice returns a subarray). The backend reports both to `escape`.
 * Arrays from the pool are not zeroed: native kernels overwrite every element of their outputs.
 */

/** Arrays smaller than this many elements come from V8 directly (cheap, and pooling them gains nothing). */
export const MINIMUM_POOLED_LENGTH = 4096;
/** Upper bound on memory held in the free lists; beyond it released arrays are left to the garbage collector. */
export const MAXIMUM_FREE_BYTES = 1 << 30;

type PooledArray = Float32Array | Uint8Array;

/** The free lists of one backend. */
export class BufferPool {
  private readonly freeFloats = new Map<number, Float32Array[]>();
  private readonly freeBytes = new Map<number, Uint8Array[]>();
  /** Arrays handed out by this pool (object identity: a view on one is not one). */
  private readonly owned = new WeakSet<PooledArray>();
  /** Memory of owned arrays that has not escaped. */
  private readonly reusable = new WeakSet<ArrayBufferLike>();
  private heldBytes = 0;
  /** Counters for tests and profiling. */
  readonly stats = { allocated: 0, reused: 0, released: 0, escaped: 0 };

  /** A float array of `length` elements, recycled when possible (contents undefined). */
  floats(length: number): Float32Array {
    if (length < MINIMUM_POOLED_LENGTH) return new Float32Array(length);
    return this.take(this.freeFloats, length, () => new Float32Array(length));
  }

  /** A byte array (bool tensors) of `length` elements, recycled when possible (contents undefined). */
  bytes(length: number): Uint8Array {
    if (length < MINIMUM_POOLED_LENGTH) return new Uint8Array(length);
    return this.take(this.freeBytes, length, () => new Uint8Array(length));
  }

  /** Whether `values` shares memory with a pooled array that has not escaped. */
  sharesPooledMemory(values: unknown): boolean {
    return ArrayBuffer.isView(values) && this.reusable.has(values.buffer);
  }

  /** Marks the memory behind `values` as visible outside the backend: never reused. */
  escape(values: unknown): void {
    if (ArrayBuffer.isView(values) && this.reusable.delete(values.buffer)) this.stats.escaped++;
  }

  /** Called when the backend releases a tensor's data: recycles `values` if it is a pooled array still private. */
  release(values: unknown): void {
    if (!(values instanceof Float32Array || values instanceof Uint8Array)) return;
    if (!this.owned.has(values) || !this.reusable.has(values.buffer)) return;
    if (this.heldBytes + values.byteLength > MAXIMUM_FREE_BYTES) return;
    const lists = (values instanceof Float32Array ? this.freeFloats : this.freeBytes) as Map<number, PooledArray[]>;
    const list = lists.get(values.length);
    if (list === undefined) lists.set(values.length, [values]);
    else list.push(values);
    this.heldBytes += values.byteLength;
    this.stats.released++;
  }

  /** Bytes currently held in the free lists. */
  get freeBytesHeld(): number {
    return this.heldBytes;
  }

  /** Drops every free array (the garbage collector reclaims them). */
  clear(): void {
    this.freeFloats.clear();
    this.freeBytes.clear();
    this.heldBytes = 0;
  }

  private take<T extends PooledArray>(lists: Map<number, T[]>, length: number, create: () => T): T {
    const recycled = lists.get(length)?.pop();
    if (recycled !== undefined) {
      this.heldBytes -= recycled.byteLength;
      this.stats.reused++;
      return recycled;
    }
    const array = create();
    this.owned.add(array);
    this.reusable.add(array.buffer);
    this.stats.allocated++;
    return array;
  }
}
