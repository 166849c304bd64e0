// A bounded map with O(1) eviction: two generations, the older dropped whole when the newer
// fills. (Evicting a Map's oldest key through keys().next() is O(holes) in V8 once many keys
// have been deleted from the front, which made a long capture slower and slower.)

export class GenerationalCache<K, V> {
  private current = new Map<K, V>();
  private previous = new Map<K, V>();

  /** Keeps between `capacity / 2` and `capacity` of the most recently set entries. */
  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    return this.current.get(key) ?? this.previous.get(key);
  }

  set(key: K, value: V): void {
    this.current.set(key, value);
    if (this.current.size >= this.capacity / 2) {
      this.previous = this.current;
      this.current = new Map();
    }
  }

  delete(key: K): void {
    this.current.delete(key);
    this.previous.delete(key);
  }

  get size(): number {
    return this.current.size + this.previous.size;
  }
}
