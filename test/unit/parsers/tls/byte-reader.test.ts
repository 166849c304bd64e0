// Tests for src/util/reader.ts (kept here with the TLS parsers, its first user).
import { describe, expect, it } from 'vitest';
import { ByteReader, peekU16, peekU24 } from '../../../../src/util/reader.js';

describe('ByteReader', () => {
  it('reads big-endian integers', () => {
    const r = new ByteReader(Uint8Array.of(0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0xff, 0xfe, 0xfd, 0xfc));
    expect(r.u8()).toBe(0x01);
    expect(r.u16()).toBe(0x0203);
    expect(r.u24()).toBe(0x040506);
    expect(r.u32()).toBe(0xfffefdfc);
    expect(r.atEnd).toBe(true);
    expect(r.overrun).toBe(false);
  });

  it('returns 0 / undefined on overrun, keeps position, sets the sticky flag', () => {
    const r = new ByteReader(Uint8Array.of(7, 8, 9));
    expect(r.u32()).toBe(0);
    expect(r.overrun).toBe(true);
    expect(r.pos).toBe(0);
    expect(r.u16()).toBe(0x0708);
    expect(r.bytes(2)).toBeUndefined();
    expect(r.skip(-1)).toBe(false);
    expect(r.u8()).toBe(9);
    expect(r.u8()).toBe(0);
    expect(r.overrun).toBe(true);
  });

  it('stays inside [start, end) and clamps bad bounds', () => {
    const data = Uint8Array.of(1, 2, 3, 4, 5);
    const r = new ByteReader(data, 1, 3);
    expect(r.remaining).toBe(2);
    expect(r.u16()).toBe(0x0203);
    expect(r.u8()).toBe(0);
    expect(r.overrun).toBe(true);
    const c = new ByteReader(data, 4, 100);
    expect(c.remaining).toBe(1);
    expect(new ByteReader(data, 9, 2).remaining).toBe(0);
  });

  it('reads length-prefixed vectors as views, restoring position when they overrun', () => {
    const data = Uint8Array.of(2, 0xaa, 0xbb, 0, 1, 0xcc, 0, 0, 5, 1);
    const r = new ByteReader(data);
    const v = r.vec8()!;
    expect(Array.from(v)).toEqual([0xaa, 0xbb]);
    expect(v.buffer).toBe(data.buffer);
    expect(Array.from(r.vec16()!)).toEqual([0xcc]);
    const at = r.pos;
    expect(r.vec24()).toBeUndefined();
    expect(r.pos).toBe(at);
    expect(r.has(4)).toBe(true);
    expect(r.has(5)).toBe(false);
  });

  it('peek helpers return -1 out of range', () => {
    const d = Uint8Array.of(1, 2, 3);
    expect(peekU16(d, 1)).toBe(0x0203);
    expect(peekU16(d, 2)).toBe(-1);
    expect(peekU24(d, 0)).toBe(0x010203);
    expect(peekU24(d, -1)).toBe(-1);
  });
});
