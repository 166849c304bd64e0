/**
 * Test-only builders of protected QUIC Initial packets (RFC 9000 §17.2.2; protection per RFC 9001 §5.3
 * and §5.4), written independently of src/parsers/quic/packet.ts and checked against the protected
 * packets of RFC 9001 / RFC 9369 Appendix A (builders.test.ts).
 */
import { createCipheriv } from 'node:crypto';
import type { PacketKeys } from '../../../../src/parsers/quic/initial-secrets.js';

export type Bytes = Uint8Array;

export function concat(...parts: Array<Bytes | number[]>): Bytes {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Minimal variable-length integer encoding (RFC 9000 §16); `width` forces 1, 2, 4 or 8 bytes. */
export function varint(v: number, width?: 1 | 2 | 4 | 8): number[] {
  const w = width ?? (v < 0x40 ? 1 : v < 0x4000 ? 2 : v < 0x40000000 ? 4 : 8);
  const out = new Array<number>(w).fill(0);
  let x = v;
  for (let i = w - 1; i >= 0; i--) {
    out[i] = x % 256;
    x = Math.floor(x / 256);
  }
  out[0]! |= { 1: 0x00, 2: 0x40, 4: 0x80, 8: 0xc0 }[w];
  return out;
}

export const PADDING = 0x00;
export const PING = 0x01;

/** A CRYPTO frame (type 0x06). */
export function cryptoFrame(offset: number, data: Bytes): Bytes {
  return concat([0x06], varint(offset), varint(data.length), data);
}

/** An ACK frame (0x02) or ACK with ECN counts (0x03) with `ranges` extra (gap, length) pairs. */
export function ackFrame(
  largest: number,
  firstRange: number,
  ranges: Array<[number, number]> = [],
  ecn = false,
): Bytes {
  const parts: number[] = [ecn ? 0x03 : 0x02, ...varint(largest), ...varint(0), ...varint(ranges.length)];
  parts.push(...varint(firstRange));
  for (const [gap, length] of ranges) parts.push(...varint(gap), ...varint(length));
  if (ecn) parts.push(...varint(1), ...varint(2), ...varint(3));
  return Uint8Array.from(parts);
}

/** A CONNECTION_CLOSE frame of type 0x1c. */
export function connectionCloseFrame(errorCode: number, frameType: number, reason: string): Bytes {
  const r = Buffer.from(reason, 'latin1');
  return concat([0x1c], varint(errorCode), varint(frameType), varint(r.length), r);
}

/** Long Packet Type code of an Initial: 0b00 in v1, 0b01 in v2 (RFC 9369 §3.2). */
function initialTypeBits(version: number): number {
  return version === 0x6b3343cf ? 0b01 : 0b00;
}

export interface InitialSpec {
  version: number;
  dcid: Bytes;
  scid: Bytes;
  token?: Bytes;
  packetNumber: number;
  /** Encoded packet-number length, 1–4 bytes (default 4). */
  pnLength?: 1 | 2 | 3 | 4;
  /** Plaintext frames. */
  payload: Bytes;
  keys: PacketKeys;
  /** Width of the Length field (default 2 bytes, as most stacks send). */
  lengthWidth?: 1 | 2 | 4 | 8;
  /** Set the Reserved Bits (a protocol violation the parser reports). */
  reservedBits?: number;
}

/** The unprotected header of an Initial packet, ready to be authenticated. */
export function initialHeader(spec: InitialSpec): { header: Bytes; pnOffset: number } {
  const pnLength = spec.pnLength ?? 4;
  const first =
    0xc0 | (initialTypeBits(spec.version) << 4) | ((spec.reservedBits ?? 0) & 0x0c) | (pnLength - 1);
  const token = spec.token ?? new Uint8Array(0);
  const length = pnLength + spec.payload.length + 16;
  const prefix = concat(
    [
      first,
      (spec.version >>> 24) & 0xff,
      (spec.version >>> 16) & 0xff,
      (spec.version >>> 8) & 0xff,
      spec.version & 0xff,
    ],
    [spec.dcid.length],
    spec.dcid,
    [spec.scid.length],
    spec.scid,
    varint(token.length),
    token,
    varint(length, spec.lengthWidth ?? 2),
  );
  const pn: number[] = [];
  for (let i = pnLength - 1; i >= 0; i--) pn.push(Math.floor(spec.packetNumber / 256 ** i) % 256);
  return { header: concat(prefix, pn), pnOffset: prefix.length };
}

/** Encrypts and header-protects an Initial packet. */
export function protectInitial(spec: InitialSpec): Bytes {
  const { header, pnOffset } = initialHeader(spec);
  const nonce = Uint8Array.from(spec.keys.iv);
  for (let i = 0; i < 8; i++) nonce[nonce.length - 1 - i]! ^= Math.floor(spec.packetNumber / 256 ** i) % 256;
  const gcm = createCipheriv('aes-128-gcm', spec.keys.key, nonce);
  gcm.setAAD(header);
  const body = concat(gcm.update(spec.payload), gcm.final(), gcm.getAuthTag());
  const packet = concat(header, body);
  const ecb = createCipheriv('aes-128-ecb', spec.keys.hp, null);
  ecb.setAutoPadding(false);
  const mask = ecb.update(packet.subarray(pnOffset + 4, pnOffset + 20));
  const pnLength = (packet[0]! & 0x03) + 1;
  packet[0]! ^= mask[0]! & 0x0f;
  for (let i = 0; i < pnLength; i++) packet[pnOffset + i]! ^= mask[1 + i]!;
  return packet;
}

/** Zero bytes (PADDING frames). */
export function padding(n: number): Bytes {
  return new Uint8Array(Math.max(0, n));
}

/** Deterministic Fisher–Yates shuffle driven by `keys` (values of any size). */
export function shuffleBy<T>(items: readonly T[], keys: readonly number[]): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = (keys[i % Math.max(1, keys.length)] ?? 0) % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Cuts `data` into pieces at the given sizes (cycled), each piece with its stream offset. */
export function splitAt(data: Bytes, sizes: readonly number[]): Array<{ offset: number; data: Bytes }> {
  const out: Array<{ offset: number; data: Bytes }> = [];
  for (let at = 0, i = 0; at < data.length; i++) {
    const size = Math.max(1, sizes.length === 0 ? data.length : sizes[i % sizes.length]!);
    out.push({ offset: at, data: data.subarray(at, at + size) });
    at += size;
  }
  return out;
}

/** Smallest client datagram carrying an Initial (RFC 9000 §14.1). */
export const MIN_DATAGRAM = 1200;

export interface FlightSpec {
  version: number;
  dcid: Bytes;
  scid: Bytes;
  keys: PacketKeys;
  /** CRYPTO pieces, in the order they are to be sent. */
  pieces: ReadonlyArray<{ offset: number; data: Bytes }>;
  /** Number of Initial packets (one per datagram) the pieces are dealt over, round-robin. */
  packets: number;
  /** Put a PING and a few PADDING bytes between CRYPTO frames, as Chrome does. */
  interleave?: boolean;
  firstPacketNumber?: number;
}

/** Client datagrams, each one Initial padded to 1200 bytes, carrying `pieces` as CRYPTO frames. */
export function clientFlight(spec: FlightSpec): Bytes[] {
  const n = Math.max(1, spec.packets);
  const frames: Bytes[][] = Array.from({ length: n }, () => []);
  spec.pieces.forEach((p, i) => {
    const list = frames[i % n]!;
    if (spec.interleave === true) list.push(Uint8Array.of(PING), padding(1 + (i % 3)));
    list.push(cryptoFrame(p.offset, p.data));
  });
  return frames.map((list, i) => {
    const base = {
      version: spec.version,
      dcid: spec.dcid,
      scid: spec.scid,
      packetNumber: (spec.firstPacketNumber ?? 0) + i,
      keys: spec.keys,
    };
    const plain = concat(...list);
    const overhead = initialHeader({ ...base, payload: plain }).header.length + 16;
    return protectInitial({
      ...base,
      payload: concat(plain, padding(MIN_DATAGRAM - overhead - plain.length)),
    });
  });
}

function versionBytes(version: number): number[] {
  return [(version >>> 24) & 0xff, (version >>> 16) & 0xff, (version >>> 8) & 0xff, version & 0xff];
}

/** A Retry (RFC 9000 §17.2.5) with a dummy integrity tag: type 0b11 in v1, 0b00 in v2. */
export function retryPacket(version: number, dcid: Bytes, scid: Bytes, token: Bytes): Bytes {
  const type = version === 0x6b3343cf ? 0b00 : 0b11;
  return concat(
    [0xc0 | (type << 4)],
    versionBytes(version),
    [dcid.length],
    dcid,
    [scid.length],
    scid,
    token,
    padding(16),
  );
}

/** A long-header packet of type bits `type` with an opaque (unprotected) body and a Length field. */
export function longPacket(version: number, type: number, dcid: Bytes, scid: Bytes, body: Bytes): Bytes {
  return concat(
    [0xc0 | (type << 4) | 0x03],
    versionBytes(version),
    [dcid.length],
    dcid,
    [scid.length],
    scid,
    varint(body.length, 2),
    body,
  );
}

/** A Version Negotiation packet (RFC 9000 §17.2.1) listing `versions`. */
export function versionNegotiation(dcid: Bytes, scid: Bytes, versions: number[]): Bytes {
  return concat(
    [0x80 | 0x2a],
    [0, 0, 0, 0],
    [dcid.length],
    dcid,
    [scid.length],
    scid,
    versions.flatMap(versionBytes),
  );
}
