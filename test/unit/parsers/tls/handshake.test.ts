import { describe, expect, it } from 'vitest';
import { HandshakeReassembler } from '../../../../src/parsers/tls/handshake.js';
import { concat, handshake, u24 } from './builders.js';

describe('HandshakeReassembler', () => {
  it('returns zero-copy views for messages inside one fragment', () => {
    const frag = concat(handshake(2, Uint8Array.of(1, 2, 3)), handshake(14, new Uint8Array(0)));
    const r = new HandshakeReassembler();
    r.push(frag);
    const a = r.next()!;
    expect(a.type).toBe(2);
    expect(Array.from(a.body)).toEqual([1, 2, 3]);
    expect(a.body.buffer).toBe(frag.buffer);
    expect(a.end).toBe(7);
    const b = r.next()!;
    expect(b.type).toBe(14);
    expect(b.end).toBe(11);
    expect(b.body).toHaveLength(0);
    expect(r.next()).toBeUndefined();
    expect(r.buffered).toBe(0);
  });

  it('joins a message spread over many fragments, in order', () => {
    const body = Uint8Array.from({ length: 50 }, (_, i) => i);
    const msg = handshake(1, body);
    const r = new HandshakeReassembler();
    for (let i = 0; i < msg.length; i += 7) {
      expect(r.next()).toBeUndefined();
      r.push(msg.subarray(i, i + 7));
    }
    const m = r.next()!;
    expect(m.type).toBe(1);
    expect(Array.from(m.body)).toEqual(Array.from(body));
    expect(r.buffered).toBe(0);
  });

  it('reports message ends in the positions given to push (e.g. stream offsets past record headers)', () => {
    const msg = handshake(1, new Uint8Array(10));
    const r = new HandshakeReassembler();
    r.push(msg.subarray(0, 6), 5); // first record's fragment starts at stream offset 5
    r.push(msg.subarray(6), 16); // second record: header at 11..15, fragment from 16
    expect(r.next()?.end).toBe(16 + msg.length - 6);
  });

  it('refuses a declared length over the limit before buffering it', () => {
    const r = new HandshakeReassembler(1000);
    r.push(concat([11], u24(1001)));
    expect(r.next()).toBeUndefined();
    expect(r.error).toBe('handshake_too_long');
    r.push(new Uint8Array(2000));
    expect(r.next()).toBeUndefined();
  });

  it('accepts exactly the limit', () => {
    const r = new HandshakeReassembler(10);
    r.push(handshake(11, new Uint8Array(10)));
    expect(r.next()?.body).toHaveLength(10);
    expect(r.error).toBeNull();
  });
});
