// The in-place writer must give exactly the text JSON.stringify gives for the same values: the
// expected strings come from JS's own number formatting (ECMAScript Number::toString).
import { describe, expect, it } from 'vitest';
import { fragment, LineBuffer } from '../../../src/events/line-buffer.js';

/** One line written in place with `body`, returned without the head, its comma and `}\n`. */
function written(body: (o: LineBuffer) => void): string {
  const o = new LineBuffer(64);
  o.open('{', null, 4096);
  body(o);
  o.close();
  const line = Buffer.from(o.take()).toString('utf8');
  expect(line.startsWith('{,') && line.endsWith('}\n')).toBe(true);
  return line.slice(2, -2);
}

/** Deterministic pseudo-random integers (xorshift), so a failure names its input. */
function* ints(count: number, max: number): Generator<number> {
  let x = 0x9e3779b9;
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    yield (x >>> 0) % max;
  }
}

const EDGES = [
  0,
  1,
  9,
  10,
  11,
  99,
  100,
  101,
  999_999,
  1_000_000,
  1_000_001,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32,
  2 ** 53 - 1,
];

describe('LineBuffer written in place', () => {
  it('writes integers as JSON.stringify does, across digit widths and the fast path limit', () => {
    for (const n of [...EDGES, ...ints(2000, 2 ** 31)])
      expect(written((o) => o.int(n))).toBe(JSON.stringify(n));
  });

  it('writes what JS writes for other numbers too (it hands them to JS)', () => {
    for (const n of [-1, -(2 ** 31), 1.5, -0, Number.NaN]) expect(written((o) => o.int(n))).toBe(String(n));
  });

  it.each([3, 6])('writes n / 10^%i as JS formats the quotient', (d) => {
    const scale = 10 ** d;
    const values = [...EDGES, ...ints(5000, 2 ** 31), ...[...ints(500, 10 ** d)].map((n) => -n)];
    for (const n of values)
      expect(
        written((o) => o.scaled(n, d)),
        `${n}`,
      ).toBe(JSON.stringify(n / scale));
  });

  it('writes the examples of its doc comment', () => {
    expect(written((o) => o.scaled(33_425, 6))).toBe('0.033425');
    expect(written((o) => o.scaled(1500, 3))).toBe('1.5');
    expect(written((o) => o.scaled(1, 6))).toBe('0.000001');
    expect(written((o) => o.scaled(-1, 3))).toBe('-0.001');
    expect(written((o) => o.scaled(0, 6))).toBe('0');
  });

  it('joins fragments, words, booleans and null into the line, after the head and envelope', () => {
    const o = new LineBuffer(16); // grows to what open reserves
    o.open('{"ts":"x"', '"flow_id":7', 256);
    o.raw(fragment('"a":'));
    o.bool(true);
    o.raw(fragment(',"b":'));
    o.nul();
    o.raw(fragment(',"c":"'));
    o.ascii('fin');
    o.raw(fragment('","d":'));
    o.bool(false);
    o.close();
    o.pushEvent('{"ts":"y"', null, '"e":1');
    const text = Buffer.from(o.take()).toString('utf8');
    expect(text).toBe('{"ts":"x","flow_id":7,"a":true,"b":null,"c":"fin","d":false}\n{"ts":"y","e":1}\n');
    expect(
      text
        .split('\n')
        .slice(0, 2)
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { ts: 'x', flow_id: 7, a: true, b: null, c: 'fin', d: false },
      { ts: 'y', e: 1 },
    ]);
  });

  it('refuses a body longer than its reservation, and a fragment that is not ASCII', () => {
    const o = new LineBuffer(16);
    o.open('{', null, 4);
    o.ascii('0123456789');
    expect(() => o.close()).toThrow(/longer than reserved/);
    expect(() => fragment('"é":')).toThrow(/not ASCII/);
  });
});
