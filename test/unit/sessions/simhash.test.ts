// SimHash vectors: published FNV-1a 64 values and hand-derived SimHash identities.
import { describe, expect, it } from 'vitest';
import { digraphToken, fnv1a64, hamming64, iatBucket, simhash64 } from '../../../src/sessions/simhash.js';

const signed = (x: bigint): bigint => BigInt.asIntN(64, x);

describe('FNV-1a 64 token hash', () => {
  it('matches the published test vectors', () => {
    expect(fnv1a64('')).toBe(0xcbf29ce484222325n);
    expect(fnv1a64('a')).toBe(0xaf63dc4c8601ec8cn);
    expect(fnv1a64('foobar')).toBe(0x85944171f73967e8n);
  });

  it('hashes UTF-8 bytes: "é" = FNV over 0xC3 0xA9', () => {
    // by hand: h0 = offset; h = (h ^ b) * prime mod 2^64 for b in [0xc3, 0xa9]
    const prime = 0x100000001b3n;
    const mask = (1n << 64n) - 1n;
    let h = 0xcbf29ce484222325n;
    h = ((h ^ 0xc3n) * prime) & mask;
    h = ((h ^ 0xa9n) * prime) & mask;
    expect(fnv1a64('é')).toBe(h);
  });

  it('encodes 4-byte UTF-8 and lone surrogates (as U+FFFD) like TextEncoder', () => {
    const ref = (str: string): bigint => {
      let h = 0xcbf29ce484222325n;
      for (const b of new TextEncoder().encode(str))
        h = ((h ^ BigInt(b)) * 0x100000001b3n) & ((1n << 64n) - 1n);
      return h;
    };
    for (const str of ['😀x', '\ud800', 'a\udc00b', 'ls:3', 'ж€']) expect(fnv1a64(str)).toBe(ref(str));
  });
});

describe('simhash64', () => {
  it('one token: the SimHash is the token hash (signed)', () => {
    expect(simhash64([{ token: 'a', weight: 3 }])).toBe(signed(0xaf63dc4c8601ec8cn));
    expect(simhash64([{ token: 'a', weight: 3 }])).toBeLessThan(0n); // top bit set → negative bigint
  });

  it('two tokens of equal weight: bits set in both (ties give 0) = AND', () => {
    const expected = 0xaf63dc4c8601ec8cn & 0x85944171f73967e8n;
    expect(
      simhash64([
        { token: 'a', weight: 1 },
        { token: 'foobar', weight: 1 },
      ]),
    ).toBe(signed(expected));
  });

  it('a heavier token dominates a lighter one', () => {
    expect(
      simhash64([
        { token: 'a', weight: 2 },
        { token: 'foobar', weight: 1 },
      ]),
    ).toBe(signed(0xaf63dc4c8601ec8cn));
  });

  it('three tokens of equal weight: bitwise majority', () => {
    const [a, b, c] = [fnv1a64('a'), fnv1a64('foobar'), fnv1a64('')];
    expect(simhash64(['a', 'foobar', ''].map((token) => ({ token, weight: 1 })))).toBe(
      signed((a & b) | (a & c) | (b & c)),
    );
  });

  it('no tokens: 0', () => {
    expect(simhash64([])).toBe(0n);
  });

  // The definition, bit by bit: v[b] = Σ ±weight (+ where the token's hash has bit b), bit b = v[b] > 0.
  it('equals the per-bit signed sums on random token sets with integer weights', () => {
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      const tokens = Array.from({ length: 1 + rnd(200) }, () => ({
        token: `${String.fromCharCode(33 + rnd(90), 33 + rnd(90))}:${rnd(7)}`,
        weight: rnd(4) === 0 ? -(1 + rnd(3)) : 1 + rnd(round % 2 ? 3 : 40),
      }));
      const v = new Array<number>(64).fill(0);
      for (const { token, weight } of tokens) {
        const h = BigInt.asUintN(64, fnv1a64(token));
        for (let b = 0; b < 64; b++) v[b]! += (h >> BigInt(b)) & 1n ? weight : -weight;
      }
      let expected = 0n;
      for (let b = 0; b < 64; b++) if (v[b]! > 0) expected |= 1n << BigInt(b);
      expect(simhash64(tokens), `round ${round}`).toBe(signed(expected));
    }
  });
});

describe('digraph tokens', () => {
  it('buckets at 30/60/120/250/500/1000 ms', () => {
    expect([0, 29.999, 30, 59.9, 60, 119, 120, 249, 250, 499, 500, 999.9, 1000, 5000].map(iatBucket)).toEqual(
      [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6],
    );
    expect(digraphToken('ls', 140)).toBe('ls:3');
  });
});

describe('hamming64', () => {
  it('counts differing bits of signed or unsigned values', () => {
    expect(hamming64(0n, 0n)).toBe(0);
    expect(hamming64(0n, -1n)).toBe(64);
    expect(hamming64(1n, 2n)).toBe(2);
    expect(hamming64(-9223372036854775808n, 0n)).toBe(1);
    expect(hamming64(0xffn, 0x0fn)).toBe(4);
    expect(hamming64(signed(0xaf63dc4c8601ec8cn), 0xaf63dc4c8601ec8cn)).toBe(0);
  });
});
