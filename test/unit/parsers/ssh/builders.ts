/**
 * Test-only builders for SSH bytes, written from RFC 4253 (§4.2 identification, §6 binary packet, §7.1
 * KEXINIT) and RFC 4251 §5 (uint32, name-list).
 */

export type Bytes = Uint8Array;

/** Bytes of a string, one byte per char (latin1), so '\xff' is the byte 0xff. */
export function ascii(s: string): Bytes {
  return Uint8Array.from(Buffer.from(s, 'latin1'));
}

export function concat(...parts: ArrayLike<number>[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** RFC 4251 §5 uint32, big-endian. */
export function u32(n: number): Bytes {
  return Uint8Array.of((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/** RFC 4251 §5 name-list: uint32 length + the names comma-joined (a string is taken as the raw list). */
export function nameList(names: readonly string[] | string): Bytes {
  const raw = ascii(typeof names === 'string' ? names : names.join(','));
  return concat(u32(raw.length), raw);
}

/** The ten name-lists of a KEXINIT, RFC 4253 §7.1 order. */
export interface KexinitLists {
  kex: readonly string[] | string;
  hostKey: readonly string[] | string;
  encC2s: readonly string[] | string;
  encS2c: readonly string[] | string;
  macC2s: readonly string[] | string;
  macS2c: readonly string[] | string;
  compC2s: readonly string[] | string;
  compS2c: readonly string[] | string;
  langC2s: readonly string[] | string;
  langS2c: readonly string[] | string;
}

/** Lists of a typical OpenSSH client (sent the same in both directions). */
export const OPENSSH_LISTS: KexinitLists = {
  kex: ['curve25519-sha256', 'curve25519-sha256@libssh.org', 'ecdh-sha2-nistp256', 'ext-info-c'],
  hostKey: ['ssh-ed25519', 'rsa-sha2-512', 'rsa-sha2-256'],
  encC2s: ['chacha20-poly1305@openssh.com', 'aes128-ctr', 'aes256-gcm@openssh.com'],
  encS2c: ['aes256-ctr', 'aes128-ctr'],
  macC2s: ['umac-64-etm@openssh.com', 'hmac-sha2-256'],
  macS2c: ['hmac-sha1'],
  compC2s: ['none', 'zlib@openssh.com'],
  compS2c: ['none'],
  langC2s: [],
  langS2c: [],
};

export interface KexinitSpec extends Partial<KexinitLists> {
  cookie?: ArrayLike<number>;
  firstKexPacketFollows?: number;
  reserved?: number;
  trailing?: ArrayLike<number>;
}

/** A KEXINIT payload (message number 20 first), defaults from {@link OPENSSH_LISTS}. */
export function kexinitPayload(spec: KexinitSpec = {}): Bytes {
  const l = { ...OPENSSH_LISTS, ...spec };
  return concat(
    [20],
    spec.cookie ?? Array.from({ length: 16 }, (_, i) => i + 1),
    nameList(l.kex),
    nameList(l.hostKey),
    nameList(l.encC2s),
    nameList(l.encS2c),
    nameList(l.macC2s),
    nameList(l.macS2c),
    nameList(l.compC2s),
    nameList(l.compS2c),
    nameList(l.langC2s),
    nameList(l.langS2c),
    [spec.firstKexPacketFollows ?? 0],
    u32(spec.reserved ?? 0),
    spec.trailing ?? [],
  );
}

/**
 * RFC 4253 §6 binary packet around `payload`. By default the padding is the smallest ≥ 4 that makes the
 * total a multiple of 8; `padding` forces a length.
 */
export function binaryPacket(payload: ArrayLike<number>, padding?: number): Bytes {
  let pad = padding ?? 4;
  if (padding === undefined) while ((5 + payload.length + pad) % 8 !== 0) pad++;
  return concat(u32(1 + payload.length + pad), [pad], payload, new Uint8Array(pad));
}

/** An SSH_MSG_IGNORE payload (RFC 4253 §11.2) carrying `data`. */
export function ignorePayload(data: string): Bytes {
  const d = ascii(data);
  return concat([2], u32(d.length), d);
}
