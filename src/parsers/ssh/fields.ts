import { hassh, hasshServer } from '../../fingerprints/hassh.js';
import type { SshIdentification } from './banner.js';
import type { SshRole } from './constants.js';
import type { Kexinit } from './kexinit.js';
import { escapeText } from './text.js';

/**
 * Event fields for `ssh_client_banner` / `ssh_server_banner` (DESIGN.md Events). `banner` is the
 * identification line without CR LF, escaped (text.ts) and at most 253 bytes; `ssh_version` repeats it
 * under DECNET's name for the same value. `pre_banner_lines` is present only when the server sent some.
 */
export function sshBannerFields(id: SshIdentification): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    banner: id.banner,
    ssh_version: id.banner,
    proto_version: id.protoVersion,
    software_version: id.softwareVersion,
    comments: id.comments,
  };
  if (id.preBannerLines.length > 0) fields.pre_banner_lines = id.preBannerLines;
  return fields;
}

/** Names escaped for output (text.ts); the same array when nothing needs escaping. */
function escapedList(list: readonly string[]): string[] {
  let out: string[] | undefined;
  for (let i = 0; i < list.length; i++) {
    const e = escapeText(list[i]!);
    if (e !== list[i] && out === undefined) out = list.slice(0, i);
    out?.push(e);
  }
  return out ?? list.slice();
}

/**
 * Event fields for `ssh_kexinit` (DESIGN.md Events). `direction` is the side that sent the KEXINIT;
 * `hassh` (client) or `hassh_server` (server) with `hassh_algorithms`, the string it hashes. `ciphers`,
 * `macs` and `compression` are the sender's own direction (client-to-server lists for a client, server-to-
 * client for a server: the HASSH inputs). All lists are arrays in wire order; both directions are also
 * given in full (`encryption_c2s` … `languages_s2c`, DECNET's names), and `kex_order_raw` is the
 * kex_algorithms name-list as sent (comma-joined), as DECNET's profiler column. Every name is escaped
 * (text.ts); `hassh_algorithms` too, so it equals the hashed string whenever every name is printable
 * ASCII without a backslash (always, for RFC-conformant names).
 */
export function kexinitFields(kex: Kexinit, direction: SshRole): Record<string, unknown> {
  const client = direction === 'client';
  const fp = client ? hassh(kex) : hasshServer(kex);
  const kexAlgorithms = escapedList(kex.kexAlgorithms);
  const encC2s = escapedList(kex.encryptionAlgorithmsClientToServer);
  const encS2c = escapedList(kex.encryptionAlgorithmsServerToClient);
  const macC2s = escapedList(kex.macAlgorithmsClientToServer);
  const macS2c = escapedList(kex.macAlgorithmsServerToClient);
  const compC2s = escapedList(kex.compressionAlgorithmsClientToServer);
  const compS2c = escapedList(kex.compressionAlgorithmsServerToClient);
  const fields: Record<string, unknown> = { direction };
  fields[client ? 'hassh' : 'hassh_server'] = fp.hash;
  fields.hassh_algorithms = escapeText(fp.algorithms);
  fields.kex_algorithms = kexAlgorithms;
  fields.host_key_algorithms = escapedList(kex.serverHostKeyAlgorithms);
  fields.ciphers = client ? encC2s : encS2c;
  fields.macs = client ? macC2s : macS2c;
  fields.compression = client ? compC2s : compS2c;
  fields.kex_order_raw = kexAlgorithms.join(',');
  fields.encryption_c2s = encC2s;
  fields.encryption_s2c = encS2c;
  fields.mac_c2s = macC2s;
  fields.mac_s2c = macS2c;
  fields.compression_c2s = compC2s;
  fields.compression_s2c = compS2c;
  fields.languages_c2s = escapedList(kex.languagesClientToServer);
  fields.languages_s2c = escapedList(kex.languagesServerToClient);
  fields.first_kex_packet_follows = kex.firstKexPacketFollows;
  return fields;
}
