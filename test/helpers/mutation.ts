/**
 * Test-only: the byte edits the parsers' property tests apply to valid input (overwrite, truncate,
 * insert, delete), as a fast-check arbitrary and the function that applies them.
 */
import fc from 'fast-check';

/** One byte edit; `at` is taken modulo the length + 1 of the bytes it applies to. */
export const mutation = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
);
export type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

/** One to six edits: what most property tests apply to a valid stream. */
export const mutations = fc.array(mutation, { minLength: 1, maxLength: 6 });

/** A copy of `base` with `edits` applied in order. */
export function mutate(base: Uint8Array, edits: readonly Mutation[]): Uint8Array {
  let d: Uint8Array = Uint8Array.from(base);
  for (const m of edits) {
    const at = d.length === 0 ? 0 : m.at % (d.length + 1);
    if (m.kind === 'set' && at < d.length) d[at] = m.value;
    else if (m.kind === 'truncate') d = d.slice(0, at);
    else if (m.kind === 'insert') d = splice(d, at, 0, m.bytes);
    else if (m.kind === 'delete') d = splice(d, at, m.count);
  }
  return d;
}

/** `d` with `remove` bytes at `at` replaced by `insert` (a new array). */
function splice(
  d: Uint8Array,
  at: number,
  remove: number,
  insert: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const end = Math.min(d.length, at + remove);
  const out = new Uint8Array(d.length - (end - at) + insert.length);
  out.set(d.subarray(0, at));
  out.set(insert, at);
  out.set(d.subarray(end), at + insert.length);
  return out;
}
