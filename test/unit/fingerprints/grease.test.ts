import { describe, expect, it } from 'vitest';
import { GREASE_VALUES, isGrease, withoutGrease } from '../../../src/fingerprints/grease.js';

describe('GREASE (RFC 8701)', () => {
  it('lists the 16 values 0x0a0a … 0xfafa', () => {
    expect(GREASE_VALUES).toEqual([
      0x0a0a, 0x1a1a, 0x2a2a, 0x3a3a, 0x4a4a, 0x5a5a, 0x6a6a, 0x7a7a, 0x8a8a, 0x9a9a, 0xaaaa, 0xbaba, 0xcaca,
      0xdada, 0xeaea, 0xfafa,
    ]);
  });

  it('isGrease is true for exactly those 16 of all 65536 values', () => {
    const hits: number[] = [];
    for (let v = 0; v < 65536; v++) if (isGrease(v)) hits.push(v);
    expect(hits).toEqual(GREASE_VALUES);
  });

  it('rejects near misses', () => {
    for (const v of [0x0a1a, 0x1a0a, 0x0b0b, 0x0a0b, 0xaaab, 0x00aa]) expect(isGrease(v)).toBe(false);
  });

  it('withoutGrease keeps order', () => {
    expect(withoutGrease([0x0a0a, 0x1301, 0xfafa, 0x002f])).toEqual([0x1301, 0x002f]);
  });
});
