import { describe, expect, it } from 'vitest';
import { IdSlots } from '../../../src/util/cache.js';

describe('IdSlots', () => {
  it('returns what was set for an id, and nothing for ids never set', () => {
    const c = new IdSlots<string>(8);
    c.set(3, 'three');
    c.set(4, 'four');
    expect(c.get(3)).toBe('three');
    expect(c.get(4)).toBe('four');
    expect(c.get(5)).toBeUndefined();
    expect(c.get(0)).toBeUndefined(); // empty slots hold no id, not id 0
  });

  it('keeps the last `capacity` ids: a later id in the same slot replaces the earlier one', () => {
    const c = new IdSlots<number>(8);
    for (let id = 0; id < 20; id++) c.set(id, id * 10);
    for (let id = 0; id < 12; id++) expect(c.get(id)).toBeUndefined();
    for (let id = 12; id < 20; id++) expect(c.get(id)).toBe(id * 10);
  });

  it('rounds the capacity up to a power of two', () => {
    const c = new IdSlots<number>(5); // 8 slots
    for (let id = 0; id < 8; id++) c.set(id, id);
    for (let id = 0; id < 8; id++) expect(c.get(id)).toBe(id);
    c.set(8, 80);
    expect(c.get(0)).toBeUndefined();
    expect(c.get(1)).toBe(1);
  });

  it('deletes an id only while it still holds its slot', () => {
    const c = new IdSlots<string>(4);
    c.set(1, 'a');
    c.set(5, 'b'); // takes slot 1
    c.delete(1); // no longer there: slot 1 is 5's
    expect(c.get(5)).toBe('b');
    c.delete(5);
    expect(c.get(5)).toBeUndefined();
  });

  it('handles ids beyond 2^32 (flow ids are 64-bit counters) by their low bits', () => {
    const c = new IdSlots<string>(16);
    const big = 2 ** 40 + 7;
    c.set(big, 'big');
    expect(c.get(big)).toBe('big');
    expect(c.get(7)).toBeUndefined(); // same slot, other id
    c.set(2 ** 33 + 7, 'other');
    expect(c.get(big)).toBeUndefined();
    expect(c.get(2 ** 33 + 7)).toBe('other');
  });
});
