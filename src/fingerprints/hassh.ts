import { createHash } from 'node:crypto';
import type { Kexinit } from '../parsers/ssh/kexinit.js';
import { md5Hex } from './hash.js';

/**
 * HASSH / HASSHServer (salesforce/hassh README; BSD-3-Clause). Written from the spec in
 * docs/fingerprints.md §9: from the first SSH_MSG_KEXINIT a side sends,
 *   hasshAlgorithms       = kex_algorithms;encryption_c2s;mac_c2s;compression_c2s   (client's KEXINIT)
 *   hasshServerAlgorithms = kex_algorithms;encryption_s2c;mac_s2c;compression_s2c   (server's KEXINIT)
 * each field being the name-list exactly as sent (names comma-joined in wire order, nothing sorted or
 * removed; an empty list is an empty field, so `a;;;` is possible), and the fingerprint is the lower-case
 * hex MD5 of that string. server_host_key_algorithms and the language lists are not used.
 */

/** What HASSH needs from a KEXINIT: name-lists in wire order, names as latin1 strings of their bytes. */
export type HasshKexinit = Pick<
  Kexinit,
  | 'kexAlgorithms'
  | 'encryptionAlgorithmsClientToServer'
  | 'encryptionAlgorithmsServerToClient'
  | 'macAlgorithmsClientToServer'
  | 'macAlgorithmsServerToClient'
  | 'compressionAlgorithmsClientToServer'
  | 'compressionAlgorithmsServerToClient'
>;

/** A fingerprint with the string it hashes. */
export interface HasshResult {
  hash: string;
  algorithms: string;
}

/** The HASSH pre-hash string of a client KEXINIT (client-to-server lists). */
export function hasshAlgorithms(kex: HasshKexinit): string {
  return (
    kex.kexAlgorithms.join(',') +
    ';' +
    kex.encryptionAlgorithmsClientToServer.join(',') +
    ';' +
    kex.macAlgorithmsClientToServer.join(',') +
    ';' +
    kex.compressionAlgorithmsClientToServer.join(',')
  );
}

/** The HASSHServer pre-hash string of a server KEXINIT (server-to-client lists). */
export function hasshServerAlgorithms(kex: HasshKexinit): string {
  return (
    kex.kexAlgorithms.join(',') +
    ';' +
    kex.encryptionAlgorithmsServerToClient.join(',') +
    ';' +
    kex.macAlgorithmsServerToClient.join(',') +
    ';' +
    kex.compressionAlgorithmsServerToClient.join(',')
  );
}

/** True when every char is US-ASCII (then UTF-8 and latin1 encodings are the same bytes). */
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * MD5 of the wire bytes behind a latin1 string. For the US-ASCII names the RFC allows this is md5Hex;
 * a name with bytes ≥ 0x80 is hashed as those bytes, not as their UTF-8 re-encoding.
 */
export function md5OfLatin1(s: string): string {
  return NON_ASCII.test(s) ? createHash('md5').update(s, 'latin1').digest('hex') : md5Hex(s);
}

/** HASSH of a client KEXINIT. */
export function hassh(kex: HasshKexinit): HasshResult {
  const algorithms = hasshAlgorithms(kex);
  return { hash: md5OfLatin1(algorithms), algorithms };
}

/** HASSHServer of a server KEXINIT. */
export function hasshServer(kex: HasshKexinit): HasshResult {
  const algorithms = hasshServerAlgorithms(kex);
  return { hash: md5OfLatin1(algorithms), algorithms };
}
