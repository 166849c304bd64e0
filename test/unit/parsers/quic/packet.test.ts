import { describe, expect, it } from 'vitest';
import { deriveInitialKeys } from '../../../../src/parsers/quic/initial-secrets.js';
import {
  decodePacketNumber,
  headerProtectionMask,
  openPacket,
  parseLongHeader,
  readVarint,
} from '../../../../src/parsers/quic/packet.js';
import { quicVersionParams } from '../../../../src/parsers/quic/versions.js';
import { ByteReader } from '../../../../src/util/reader.js';
import {
  CLIENT_FRAMES_LENGTH,
  hex,
  RFC_SAMPLES,
  SAMPLE_DCID,
  SAMPLE_SERVER_CID,
  toHex,
} from './rfc-vectors.js';

describe('readVarint (RFC 9000 Appendix A.1 examples)', () => {
  it.each([
    ['c2197c5eff14e88c', Number(151288809941952652n), 8],
    ['9d7f3e7d', 494878333, 4],
    ['7bbd', 15293, 2],
    ['25', 37, 1],
    ['4025', 37, 2],
  ])('%s decodes to %d using %i bytes', (bytes, value, length) => {
    const r = new ByteReader(hex(bytes + 'ff'));
    expect(readVarint(r)).toBe(value);
    expect(r.pos).toBe(length);
  });

  it.each(['', '40', '9d7f3e', 'c2197c5eff14e8'])('truncated %j gives -1 and sets overrun', (bytes) => {
    const r = new ByteReader(hex(bytes));
    expect(readVarint(r)).toBe(-1);
    expect(r.overrun).toBe(true);
    expect(r.pos).toBe(0);
  });
});

describe('decodePacketNumber (RFC 9000 §17.1 and Appendix A.3)', () => {
  it.each([
    // §17.1: largest 0xa82f30ea, a 16-bit 0x9b32 decodes as 0xa82f9b32.
    [0xa82f30ea, 0x9b32, 2, 0xa82f9b32],
    // No packet yet (expected 0): the truncated value is the packet number (RFC 9001 A.2 uses pn 2).
    [-1, 2, 4, 2],
    [-1, 0, 1, 0],
  ])('largest %d, truncated %d (%i bytes) -> %d', (largest, truncated, length, full) => {
    expect(decodePacketNumber(largest, truncated, length)).toBe(full);
  });
});

describe.each(RFC_SAMPLES)('Initial packet protection: $name', (sample) => {
  const params = quicVersionParams(sample.version)!;
  const keys = deriveInitialKeys(params, hex(SAMPLE_DCID));
  const client = hex(sample.clientProtected);
  const server = hex(sample.serverProtected);

  it('header-protection masks are the RFC values', () => {
    expect(toHex(headerProtectionMask(keys.client.hp, hex(sample.clientSample)))).toBe(sample.clientMask);
    expect(toHex(headerProtectionMask(keys.server.hp, hex(sample.serverSample)))).toBe(sample.serverMask);
  });

  it('parses the client Initial long header', () => {
    const r = parseLongHeader(client, 0);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const h = r.header;
    expect(h.kind).toBe('initial');
    expect(h.version).toBe(sample.version);
    expect(toHex(h.dcid)).toBe(SAMPLE_DCID);
    expect(h.scid.length).toBe(0);
    expect(h.token.length).toBe(0);
    // Unprotected header = first byte … Length, then the 4-byte packet number (A.2).
    expect(h.pnOffset).toBe(hex(sample.clientHeader).length - 4);
    expect(h.end).toBe(client.length);
  });

  it('decrypts the client Initial to the RFC CRYPTO frame plus PADDING', () => {
    const r = parseLongHeader(client, 0);
    if (!r.ok) throw new Error(r.error);
    const opened = openPacket(client, r.header, keys.client, -1);
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    expect(opened.packet.packetNumber).toBe(sample.clientPacketNumber);
    expect(opened.packet.reservedBits).toBe(0);
    const frame = hex(sample.clientCryptoFrame);
    expect(opened.packet.payload.length).toBe(CLIENT_FRAMES_LENGTH);
    expect(toHex(opened.packet.payload.subarray(0, frame.length))).toBe(toHex(frame));
    expect(opened.packet.payload.subarray(frame.length).every((b) => b === 0)).toBe(true);
  });

  it('decrypts the server Initial (new connection ID, 2-byte packet number)', () => {
    const r = parseLongHeader(server, 0);
    if (!r.ok) throw new Error(r.error);
    expect(r.header.kind).toBe('initial');
    expect(r.header.dcid.length).toBe(0);
    expect(toHex(r.header.scid)).toBe(SAMPLE_SERVER_CID);
    const opened = openPacket(server, r.header, keys.server, -1);
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    expect(opened.packet.packetNumber).toBe(sample.serverPacketNumber);
    expect(toHex(opened.packet.payload)).toBe(toHex(hex(sample.serverPayload)));
  });

  it('parses the Retry: server CID and token, no Length', () => {
    const retry = hex(sample.retry);
    const r = parseLongHeader(retry, 0);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.header.kind).toBe('retry');
    expect(toHex(r.header.scid)).toBe(SAMPLE_SERVER_CID);
    expect(Buffer.from(r.header.token).toString('latin1')).toBe('token');
    expect(r.header.end).toBe(retry.length);
  });

  it.each([
    ['the other side’s keys', (p: Uint8Array) => p, 'server'],
    ['a flipped ciphertext byte', (p: Uint8Array) => flip(p, 100), 'client'],
    ['a flipped tag byte', (p: Uint8Array) => flip(p, p.length - 1), 'client'],
  ] as const)('fails authentication with %s, without throwing', (_name, edit, side) => {
    const packet = edit(client);
    const r = parseLongHeader(packet, 0);
    if (!r.ok) throw new Error(r.error);
    expect(openPacket(packet, r.header, keys[side], -1)).toEqual({ ok: false, error: 'decryption_failed' });
  });
});

function flip(p: Uint8Array, at: number): Uint8Array {
  const out = Uint8Array.from(p);
  out[at]! ^= 0x01;
  return out;
}

describe('parseLongHeader faults', () => {
  it.each([
    ['empty', '', 'not_long_header'],
    ['short header', '41aabbcc', 'not_long_header'],
    ['truncated version', 'c00000', 'truncated_packet'],
    ['DCID past the end', 'c0000000010aaabb', 'truncated_packet'],
    ['v1 DCID of 21 bytes', 'c00000000115' + '00'.repeat(21) + '00', 'bad_connection_id_length'],
    ['Length past the end', 'c0000000010100000044ff00', 'truncated_packet'],
    ['token past the end', 'c000000001010000050102', 'truncated_packet'],
    ['Retry shorter than its tag', 'f00000000100000102', 'truncated_packet'],
  ])('%s -> %s', (_name, bytes, error) => {
    expect(parseLongHeader(hex(bytes), 0)).toEqual({ ok: false, error });
  });

  it.each([
    ['Version Negotiation', 'c000000000' + '0100' + '00000001', 'version_negotiation'],
    ['draft-29', 'c0ff00001d' + '0100' + '00', 'unknown_version'],
    [
      'unknown version with a 40-byte CID (RFC 8999 allows 255)',
      'c012345678' + '28' + '00'.repeat(40) + '00',
      'unknown_version',
    ],
  ])('%s parses as %s', (_name, bytes, kind) => {
    const r = parseLongHeader(hex(bytes), 0);
    expect(r.ok && r.header.kind).toBe(kind);
  });
});
