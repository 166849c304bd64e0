import { describe, expect, it } from 'vitest';
import { HEX2, hash12, hex4, joinHex4, md5Hex, sha256Hex } from '../../../src/fingerprints/hash.js';

describe('hash helpers', () => {
  it('md5Hex matches RFC 1321 test vectors', () => {
    expect(md5Hex('')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(md5Hex('abc')).toBe('900150983cd24fb0d6963f7d28e17f72');
  });

  it('sha256Hex / hash12 match FIPS 180-2 "abc"', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hash12('abc')).toBe('ba7816bf8f01');
  });

  it('hash12 of the JA4 worked cipher list (JA4.md)', () => {
    expect(hash12('002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9')).toBe(
      '8daaf6152771',
    );
  });

  it('hex4 / joinHex4 / HEX2 are lower-case and zero-padded', () => {
    expect(hex4(0)).toBe('0000');
    expect(hex4(0x0a0a)).toBe('0a0a');
    expect(hex4(0xfe0d)).toBe('fe0d');
    expect(joinHex4([0x1301, 0x2f])).toBe('1301,002f');
    expect(joinHex4([])).toBe('');
    expect(joinHex4(Uint16Array.of(1, 2), '-')).toBe('0001-0002');
    expect(HEX2).toHaveLength(256);
    expect(HEX2[0xab]).toBe('ab');
  });
});
