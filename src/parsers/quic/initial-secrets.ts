/**
 * Initial packet protection keys (RFC 9001 §5.1–5.2; RFC 9369 §3.3): HKDF-Extract of the client's
 * Destination Connection ID with the version's salt, then HKDF-Expand-Label (RFC 8446 §7.1) into each
 * side's AEAD key, IV and header-protection key. SHA-256 and AES-128-GCM throughout (RFC 9001 §5.2).
 */
import { createHmac } from 'node:crypto';
import type { QuicVersionParams } from './versions.js';

/** SHA-256 output length, bytes: the size of every Initial secret. */
const HASH_LENGTH = 32;
/** AEAD_AES_128_GCM key length, bytes. */
export const INITIAL_KEY_LENGTH = 16;
/** AEAD nonce length, bytes (RFC 9001 §5.3). */
export const INITIAL_IV_LENGTH = 12;
/** AES-128 header-protection key length, bytes (RFC 9001 §5.4.3). */
export const INITIAL_HP_LENGTH = 16;

/** Packet protection keys of one endpoint. */
export interface PacketKeys {
  key: Uint8Array;
  iv: Uint8Array;
  hp: Uint8Array;
}

/** Both sides' Initial secrets and keys for one (version, connection ID). */
export interface InitialKeys {
  initialSecret: Uint8Array;
  clientSecret: Uint8Array;
  serverSecret: Uint8Array;
  client: PacketKeys;
  server: PacketKeys;
}

/** HKDF-Extract (RFC 5869 §2.2) with SHA-256. */
export function hkdfExtract(salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', salt).update(ikm).digest());
}

/** HKDF-Expand (RFC 5869 §2.3) with SHA-256; `length` must not exceed 255 × 32. */
export function hkdfExpand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let previous = new Uint8Array(0);
  for (let filled = 0, counter = 1; filled < length; counter++) {
    const block = createHmac('sha256', prk)
      .update(previous)
      .update(info)
      .update(Uint8Array.of(counter))
      .digest();
    previous = new Uint8Array(block);
    const take = Math.min(previous.length, length - filled);
    out.set(previous.subarray(0, take), filled);
    filled += take;
  }
  return out;
}

/** The HkdfLabel structure of RFC 8446 §7.1: length, "tls13 " + label, context. */
export function hkdfLabel(label: string, context: Uint8Array, length: number): Uint8Array {
  const full = Buffer.from('tls13 ' + label, 'latin1');
  const out = new Uint8Array(2 + 1 + full.length + 1 + context.length);
  out[0] = length >> 8;
  out[1] = length & 0xff;
  out[2] = full.length;
  out.set(full, 3);
  out[3 + full.length] = context.length;
  out.set(context, 4 + full.length);
  return out;
}

/** HKDF-Expand-Label (RFC 8446 §7.1) with SHA-256. */
export function hkdfExpandLabel(
  secret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Uint8Array {
  return hkdfExpand(secret, hkdfLabel(label, context, length), length);
}

function packetKeys(secret: Uint8Array, params: QuicVersionParams): PacketKeys {
  const none = new Uint8Array(0);
  return {
    key: hkdfExpandLabel(secret, params.keyLabel, none, INITIAL_KEY_LENGTH),
    iv: hkdfExpandLabel(secret, params.ivLabel, none, INITIAL_IV_LENGTH),
    hp: hkdfExpandLabel(secret, params.hpLabel, none, INITIAL_HP_LENGTH),
  };
}

/** Derives the client and server Initial keys from the client's original Destination Connection ID. */
export function deriveInitialKeys(params: QuicVersionParams, clientDcid: Uint8Array): InitialKeys {
  const none = new Uint8Array(0);
  const initialSecret = hkdfExtract(params.salt, clientDcid);
  const clientSecret = hkdfExpandLabel(initialSecret, 'client in', none, HASH_LENGTH);
  const serverSecret = hkdfExpandLabel(initialSecret, 'server in', none, HASH_LENGTH);
  return {
    initialSecret,
    clientSecret,
    serverSecret,
    client: packetKeys(clientSecret, params),
    server: packetKeys(serverSecret, params),
  };
}
