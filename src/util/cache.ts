// A bounded cache for per-flow values in a parser worker.

/** A direct-mapped cache keyed by non-negative integer ids that mostly grow (flow ids): an id
 *  lives in slot `id % capacity` until a later id takes the slot, so it keeps about the last
 *  `capacity` ids seen. One array read and one compare per lookup, no hashing, nothing to evict:
 *  it replaced a two-generation pair of Maps whose lookups were 3 % of a parser worker's time. */
export class IdSlots<V> {
  private readonly ids: Float64Array;
  private readonly values: (V | undefined)[];
  private readonly mask: number;

  /** `capacity` is rounded up to a power of two. */
  constructor(capacity: number) {
    const size = 2 ** Math.ceil(Math.log2(Math.max(2, capacity)));
    this.mask = size - 1;
    this.ids = new Float64Array(size).fill(-1);
    this.values = new Array<V | undefined>(size).fill(undefined);
  }

  get(id: number): V | undefined {
    const s = id & this.mask;
    return this.ids[s] === id ? this.values[s] : undefined;
  }

  set(id: number, value: V): void {
    const s = id & this.mask;
    this.ids[s] = id;
    this.values[s] = value;
  }

  delete(id: number): void {
    const s = id & this.mask;
    if (this.ids[s] === id) {
      this.ids[s] = -1;
      this.values[s] = undefined;
    }
  }
}
