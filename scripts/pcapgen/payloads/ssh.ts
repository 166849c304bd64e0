// SSH transport messages (RFC 4253): identification strings, the binary packet format with random
// padding, SSH_MSG_KEXINIT with the name-lists of common clients and servers, and the ECDH key
// exchange (RFC 5656) that follows, then encrypted packets.

import { ByteWriter } from '../bytes.js';
import { Prng } from '../prng.js';

export const SSH_MSG_KEXINIT = 20;
export const SSH_MSG_NEWKEYS = 21;
export const SSH_MSG_KEX_ECDH_INIT = 30;
export const SSH_MSG_KEX_ECDH_REPLY = 31;

export interface KexinitLists {
  kex: readonly string[];
  hostKey: readonly string[];
  ciphers: readonly string[];
  macs: readonly string[];
  compression: readonly string[];
  // Server-to-client lists, when they differ from client-to-server.
  ciphersS2C?: readonly string[] | undefined;
  macsS2C?: readonly string[] | undefined;
  compressionS2C?: readonly string[] | undefined;
}

export interface SshProfile {
  name: string;
  banner: string;
  lists: KexinitLists;
  // Sends KEXINIT in the same TCP segment as its identification string.
  kexinitWithBanner: boolean;
}

// An identification string with its CR LF (RFC 4253 §4.2).
export function sshIdentification(banner: string): Buffer {
  return Buffer.from(`${banner}\r\n`, 'latin1');
}

// Wraps a payload in the unencrypted binary packet format (RFC 4253 §6): length, padding length,
// payload, at least 4 random padding bytes, total a multiple of the block size. No MAC.
export function sshBinaryPacket(payload: Uint8Array, prng: Prng, blockSize = 8): Buffer {
  let pad = blockSize - ((5 + payload.length) % blockSize);
  if (pad < 4) pad += blockSize;
  const w = new ByteWriter(5 + payload.length + pad);
  w.u32(1 + payload.length + pad)
    .u8(pad)
    .bytes(payload)
    .random(prng, pad);
  return w.finish();
}

// SSH_MSG_KEXINIT payload (RFC 4253 §7.1) with a random cookie.
export function encodeKexinitPayload(lists: KexinitLists, prng: Prng, firstKexPacketFollows = false): Buffer {
  const w = new ByteWriter(1500);
  const nameList = (l: readonly string[]): void => {
    w.prefixed(4, () => w.ascii(l.join(',')));
  };
  w.u8(SSH_MSG_KEXINIT).random(prng, 16);
  nameList(lists.kex);
  nameList(lists.hostKey);
  nameList(lists.ciphers);
  nameList(lists.ciphersS2C ?? lists.ciphers);
  nameList(lists.macs);
  nameList(lists.macsS2C ?? lists.macs);
  nameList(lists.compression);
  nameList(lists.compressionS2C ?? lists.compression);
  nameList([]);
  nameList([]);
  w.u8(firstKexPacketFollows ? 1 : 0).u32(0);
  return w.finish();
}

const kexinitCache = new WeakMap<KexinitLists, Buffer>();

// A complete KEXINIT binary packet (fresh cookie and padding; name-lists encoded once per lists object).
export function buildKexinit(lists: KexinitLists, prng: Prng): Buffer {
  let payload = kexinitCache.get(lists);
  if (payload === undefined) {
    // Its cookie is overwritten below: a throwaway generator keeps the caller's stream independent
    // of whether the cache was warm.
    payload = encodeKexinitPayload(lists, new Prng(0));
    kexinitCache.set(lists, payload);
  }
  let pad = 8 - ((5 + payload.length) % 8);
  if (pad < 4) pad += 8;
  const out = Buffer.allocUnsafe(5 + payload.length + pad);
  out.writeUInt32BE(1 + payload.length + pad, 0);
  out[4] = pad;
  payload.copy(out, 5);
  prng.fill(out, 6, 16); // cookie
  prng.fill(out, 5 + payload.length, pad);
  return out;
}

// SSH_MSG_KEX_ECDH_INIT with a random curve25519 public key.
export function buildKexEcdhInit(prng: Prng): Buffer {
  const w = new ByteWriter(48);
  w.u8(SSH_MSG_KEX_ECDH_INIT).prefixed(4, () => w.random(prng, 32));
  return sshBinaryPacket(w.finish(), prng);
}

// SSH_MSG_KEX_ECDH_REPLY (ssh-ed25519 host key, random key and signature) followed by SSH_MSG_NEWKEYS.
export function buildKexEcdhReplyAndNewKeys(prng: Prng): Buffer {
  const w = new ByteWriter(256);
  w.u8(SSH_MSG_KEX_ECDH_REPLY);
  w.prefixed(4, () => w.prefixed(4, () => w.ascii('ssh-ed25519')).prefixed(4, () => w.random(prng, 32)));
  w.prefixed(4, () => w.random(prng, 32));
  w.prefixed(4, () => w.prefixed(4, () => w.ascii('ssh-ed25519')).prefixed(4, () => w.random(prng, 64)));
  return Buffer.concat([sshBinaryPacket(w.finish(), prng), buildNewKeys(prng)]);
}

// SSH_MSG_NEWKEYS.
export function buildNewKeys(prng: Prng): Buffer {
  return sshBinaryPacket(Uint8Array.of(SSH_MSG_NEWKEYS), prng);
}

// An encrypted packet after NEWKEYS: a 4-byte packet length, 16n bytes of ciphertext and a 16-byte
// tag. The length is in clear for AES-GCM (RFC 5647) and -etm MACs, encrypted otherwise
// (chacha20-poly1305, or CTR with an encrypt-and-MAC mode).
export function sshEncryptedPacket(prng: Prng, approxLength: number, lengthInClear = true): Buffer {
  const body = Math.max(16, Math.ceil(approxLength / 16) * 16);
  const out = Buffer.allocUnsafe(4 + body + 16);
  if (lengthInClear) {
    out.writeUInt32BE(body, 0);
    prng.noise(out, 4, body + 16);
  } else prng.noise(out, 0, 4 + body + 16);
  return out;
}

// The cipher and MAC a client and server agree on (RFC 4253 §7.1: the client's first that the server has).
export function negotiateSsh(client: KexinitLists, server: KexinitLists): { cipher: string; mac: string } {
  const cipher = client.ciphers.find((c) => server.ciphers.includes(c)) ?? 'none';
  const mac = client.macs.find((m) => server.macs.includes(m)) ?? 'none';
  return { cipher, mac };
}

// Whether packet lengths travel in clear after NEWKEYS for this cipher / MAC pair.
export function sshLengthInClear(cipher: string, mac: string): boolean {
  if (cipher.startsWith('chacha20-poly1305')) return false;
  return cipher.includes('-gcm@') || mac.endsWith('-etm@openssh.com');
}

const OPENSSH_HOSTKEYS_CLIENT = [
  'ssh-ed25519-cert-v01@openssh.com',
  'ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'ecdsa-sha2-nistp384-cert-v01@openssh.com',
  'ecdsa-sha2-nistp521-cert-v01@openssh.com',
  'sk-ssh-ed25519-cert-v01@openssh.com',
  'sk-ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'rsa-sha2-512-cert-v01@openssh.com',
  'rsa-sha2-256-cert-v01@openssh.com',
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
  'rsa-sha2-512',
  'rsa-sha2-256',
];
const OPENSSH_CIPHERS = [
  'chacha20-poly1305@openssh.com',
  'aes128-ctr',
  'aes192-ctr',
  'aes256-ctr',
  'aes128-gcm@openssh.com',
  'aes256-gcm@openssh.com',
];
const OPENSSH_MACS = [
  'umac-64-etm@openssh.com',
  'umac-128-etm@openssh.com',
  'hmac-sha2-256-etm@openssh.com',
  'hmac-sha2-512-etm@openssh.com',
  'hmac-sha1-etm@openssh.com',
  'umac-64@openssh.com',
  'umac-128@openssh.com',
  'hmac-sha2-256',
  'hmac-sha2-512',
  'hmac-sha1',
];

// Client profiles seen brute-forcing honeypots: OpenSSH (new and old), Go x/crypto/ssh, libssh2,
// paramiko and PuTTY.
export const SSH_CLIENT_PROFILES: readonly SshProfile[] = [
  {
    name: 'openssh-9.6',
    banner: 'SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5',
    kexinitWithBanner: false,
    lists: {
      kex: [
        'sntrup761x25519-sha512@openssh.com',
        'curve25519-sha256',
        'curve25519-sha256@libssh.org',
        'ecdh-sha2-nistp256',
        'ecdh-sha2-nistp384',
        'ecdh-sha2-nistp521',
        'diffie-hellman-group-exchange-sha256',
        'diffie-hellman-group16-sha512',
        'diffie-hellman-group18-sha512',
        'diffie-hellman-group14-sha256',
        'ext-info-c',
        'kex-strict-c-v00@openssh.com',
      ],
      hostKey: OPENSSH_HOSTKEYS_CLIENT,
      ciphers: OPENSSH_CIPHERS,
      macs: OPENSSH_MACS,
      compression: ['none', 'zlib@openssh.com', 'zlib'],
    },
  },
  {
    name: 'openssh-7.4',
    banner: 'SSH-2.0-OpenSSH_7.4',
    kexinitWithBanner: false,
    lists: {
      kex: [
        'curve25519-sha256',
        'curve25519-sha256@libssh.org',
        'ecdh-sha2-nistp256',
        'ecdh-sha2-nistp384',
        'ecdh-sha2-nistp521',
        'diffie-hellman-group-exchange-sha256',
        'diffie-hellman-group16-sha512',
        'diffie-hellman-group18-sha512',
        'diffie-hellman-group-exchange-sha1',
        'diffie-hellman-group14-sha256',
        'diffie-hellman-group14-sha1',
        'ext-info-c',
      ],
      hostKey: [
        'ecdsa-sha2-nistp256-cert-v01@openssh.com',
        'ssh-ed25519-cert-v01@openssh.com',
        'ssh-rsa-cert-v01@openssh.com',
        'ecdsa-sha2-nistp256',
        'ssh-ed25519',
        'rsa-sha2-512',
        'rsa-sha2-256',
        'ssh-rsa',
      ],
      ciphers: [
        'chacha20-poly1305@openssh.com',
        'aes128-ctr',
        'aes192-ctr',
        'aes256-ctr',
        'aes128-gcm@openssh.com',
        'aes256-gcm@openssh.com',
        'aes128-cbc',
        'aes192-cbc',
        'aes256-cbc',
      ],
      macs: OPENSSH_MACS,
      compression: ['none', 'zlib@openssh.com', 'zlib'],
    },
  },
  {
    name: 'go',
    banner: 'SSH-2.0-Go',
    kexinitWithBanner: false,
    lists: {
      kex: [
        'curve25519-sha256',
        'curve25519-sha256@libssh.org',
        'ecdh-sha2-nistp256',
        'ecdh-sha2-nistp384',
        'ecdh-sha2-nistp521',
        'diffie-hellman-group14-sha256',
        'diffie-hellman-group14-sha1',
        'ext-info-c',
      ],
      hostKey: [
        'rsa-sha2-256-cert-v01@openssh.com',
        'rsa-sha2-512-cert-v01@openssh.com',
        'ssh-rsa-cert-v01@openssh.com',
        'ecdsa-sha2-nistp256-cert-v01@openssh.com',
        'ssh-ed25519-cert-v01@openssh.com',
        'ecdsa-sha2-nistp256',
        'ssh-ed25519',
        'rsa-sha2-256',
        'rsa-sha2-512',
        'ssh-rsa',
      ],
      ciphers: [
        'aes128-gcm@openssh.com',
        'aes256-gcm@openssh.com',
        'chacha20-poly1305@openssh.com',
        'aes128-ctr',
        'aes192-ctr',
        'aes256-ctr',
      ],
      macs: [
        'hmac-sha2-256-etm@openssh.com',
        'hmac-sha2-512-etm@openssh.com',
        'hmac-sha2-256',
        'hmac-sha2-512',
        'hmac-sha1',
        'hmac-sha1-96',
      ],
      compression: ['none'],
    },
  },
  {
    name: 'libssh2',
    banner: 'SSH-2.0-libssh2_1.10.0',
    kexinitWithBanner: true,
    lists: {
      kex: [
        'ecdh-sha2-nistp256',
        'ecdh-sha2-nistp384',
        'ecdh-sha2-nistp521',
        'diffie-hellman-group-exchange-sha256',
        'diffie-hellman-group16-sha512',
        'diffie-hellman-group18-sha512',
        'diffie-hellman-group14-sha256',
        'diffie-hellman-group14-sha1',
        'diffie-hellman-group1-sha1',
        'diffie-hellman-group-exchange-sha1',
      ],
      hostKey: [
        'ecdsa-sha2-nistp256',
        'ecdsa-sha2-nistp384',
        'ecdsa-sha2-nistp521',
        'ssh-ed25519',
        'rsa-sha2-256',
        'rsa-sha2-512',
        'ssh-rsa',
        'ssh-dss',
      ],
      ciphers: [
        'aes128-ctr',
        'aes192-ctr',
        'aes256-ctr',
        'aes256-cbc',
        'rijndael-cbc@lysator.liu.se',
        'aes192-cbc',
        'aes128-cbc',
        'blowfish-cbc',
        'arcfour128',
        'arcfour',
        'cast128-cbc',
        '3des-cbc',
      ],
      macs: [
        'hmac-sha2-256',
        'hmac-sha2-512',
        'hmac-sha1',
        'hmac-sha1-96',
        'hmac-md5',
        'hmac-md5-96',
        'hmac-ripemd160',
        'hmac-ripemd160@openssh.com',
      ],
      compression: ['none'],
    },
  },
  {
    name: 'paramiko',
    banner: 'SSH-2.0-paramiko_3.4.0',
    kexinitWithBanner: false,
    lists: {
      kex: [
        'ecdh-sha2-nistp256',
        'ecdh-sha2-nistp384',
        'ecdh-sha2-nistp521',
        'diffie-hellman-group16-sha512',
        'diffie-hellman-group-exchange-sha256',
        'diffie-hellman-group14-sha256',
        'diffie-hellman-group-exchange-sha1',
        'diffie-hellman-group14-sha1',
        'diffie-hellman-group1-sha1',
      ],
      hostKey: [
        'ssh-ed25519',
        'ecdsa-sha2-nistp256',
        'ecdsa-sha2-nistp384',
        'ecdsa-sha2-nistp521',
        'rsa-sha2-512',
        'rsa-sha2-256',
        'ssh-rsa',
        'ssh-dss',
      ],
      ciphers: [
        'aes128-ctr',
        'aes192-ctr',
        'aes256-ctr',
        'aes128-cbc',
        'aes192-cbc',
        'aes256-cbc',
        '3des-cbc',
      ],
      macs: [
        'hmac-sha2-256',
        'hmac-sha2-512',
        'hmac-sha2-256-etm@openssh.com',
        'hmac-sha2-512-etm@openssh.com',
        'hmac-sha1',
        'hmac-md5',
        'hmac-sha1-96',
        'hmac-md5-96',
      ],
      compression: ['none'],
    },
  },
  {
    name: 'putty',
    banner: 'SSH-2.0-PuTTY_Release_0.80',
    kexinitWithBanner: false,
    lists: {
      kex: [
        'sntrup761x25519-sha512@openssh.com',
        'curve25519-sha256',
        'curve25519-sha256@libssh.org',
        'ecdh-sha2-nistp256',
        'ecdh-sha2-nistp384',
        'ecdh-sha2-nistp521',
        'diffie-hellman-group-exchange-sha256',
        'diffie-hellman-group-exchange-sha1',
        'diffie-hellman-group18-sha512',
        'diffie-hellman-group17-sha512',
        'diffie-hellman-group16-sha512',
        'diffie-hellman-group15-sha512',
        'diffie-hellman-group14-sha256',
        'diffie-hellman-group14-sha1',
        'ext-info-c',
        'kex-strict-c-v00@openssh.com',
      ],
      hostKey: [
        'ssh-ed25519',
        'ecdsa-sha2-nistp256',
        'ecdsa-sha2-nistp384',
        'ecdsa-sha2-nistp521',
        'ssh-ed448',
        'rsa-sha2-512',
        'rsa-sha2-256',
        'ssh-rsa',
      ],
      ciphers: [
        'aes256-ctr',
        'aes256-cbc',
        'rijndael-cbc@lysator.liu.se',
        'aes192-ctr',
        'aes192-cbc',
        'aes128-ctr',
        'aes128-cbc',
        'chacha20-poly1305@openssh.com',
        'aes256-gcm@openssh.com',
        'aes128-gcm@openssh.com',
        '3des-ctr',
        '3des-cbc',
        'blowfish-ctr',
        'blowfish-cbc',
        'arcfour256',
        'arcfour128',
      ],
      macs: [
        'hmac-sha2-256',
        'hmac-sha1',
        'hmac-sha1-96',
        'hmac-md5',
        'hmac-sha2-256-etm@openssh.com',
        'hmac-sha1-etm@openssh.com',
        'hmac-sha1-96-etm@openssh.com',
        'hmac-md5-etm@openssh.com',
      ],
      compression: ['none', 'zlib', 'zlib@openssh.com'],
    },
  },
];

const OPENSSH_SERVER_KEX = [
  'sntrup761x25519-sha512@openssh.com',
  'curve25519-sha256',
  'curve25519-sha256@libssh.org',
  'ecdh-sha2-nistp256',
  'ecdh-sha2-nistp384',
  'ecdh-sha2-nistp521',
  'diffie-hellman-group-exchange-sha256',
  'diffie-hellman-group16-sha512',
  'diffie-hellman-group18-sha512',
  'diffie-hellman-group14-sha256',
  'kex-strict-s-v00@openssh.com',
];

// Server profiles of the decoys: OpenSSH on Debian and Ubuntu, and an older OpenSSH.
export const SSH_SERVER_PROFILES: readonly SshProfile[] = [
  {
    name: 'openssh-9.2-debian',
    banner: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3',
    kexinitWithBanner: false,
    lists: {
      kex: OPENSSH_SERVER_KEX,
      hostKey: ['rsa-sha2-512', 'rsa-sha2-256', 'ecdsa-sha2-nistp256', 'ssh-ed25519'],
      ciphers: OPENSSH_CIPHERS,
      macs: OPENSSH_MACS,
      compression: ['none', 'zlib@openssh.com'],
    },
  },
  {
    name: 'openssh-8.9-ubuntu',
    banner: 'SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10',
    kexinitWithBanner: false,
    lists: {
      kex: OPENSSH_SERVER_KEX.filter((k) => !k.startsWith('kex-strict')),
      hostKey: ['rsa-sha2-512', 'rsa-sha2-256', 'ecdsa-sha2-nistp256', 'ssh-ed25519'],
      ciphers: OPENSSH_CIPHERS,
      macs: OPENSSH_MACS,
      compression: ['none', 'zlib@openssh.com'],
    },
  },
  {
    name: 'openssh-7.4',
    banner: 'SSH-2.0-OpenSSH_7.4',
    kexinitWithBanner: false,
    lists: {
      kex: OPENSSH_SERVER_KEX.filter((k) => !k.startsWith('kex-strict') && !k.startsWith('sntrup')),
      hostKey: ['ssh-rsa', 'rsa-sha2-512', 'rsa-sha2-256', 'ecdsa-sha2-nistp256', 'ssh-ed25519'],
      ciphers: OPENSSH_CIPHERS,
      macs: OPENSSH_MACS,
      compression: ['none', 'zlib@openssh.com'],
    },
  },
];
