import { isGrease } from '../../fingerprints/grease.js';
import { hex4 } from '../../fingerprints/hash.js';
import { ja3, ja3s } from '../../fingerprints/ja3.js';
import { ja4, ja4Version } from '../../fingerprints/ja4.js';
import { ja4s } from '../../fingerprints/ja4plus/ja4s.js';
import type { ClientHello } from './client-hello.js';
import { versionName } from './constants.js';
import { latin1 } from './extensions.js';
import type { ServerHello } from './server-hello.js';

/** Options for the event-field builders. */
export interface TlsOptions {
  /** Compute the FoxIO-licensed JA4+ methods (JA4S); false with `--no-ja4plus`. */
  ja4plus: boolean;
  /** JA4 transport letter: 't' TLS over TCP, 'q' QUIC, 'd' DTLS. */
  protocol: 't' | 'q' | 'd';
}

/** Resumption mechanisms a ClientHello offers, in this fixed order. */
export type Resumption = 'session_id' | 'session_ticket' | 'psk' | 'early_data_0rtt';

/** Extension types in wire order (GREASE included). */
function extensionTypes(hello: { extensions: ReadonlyArray<{ type: number }> }): number[] {
  const out = new Array<number>(hello.extensions.length);
  for (let i = 0; i < out.length; i++) out[i] = hello.extensions[i]!.type;
  return out;
}

/** 4-hex codes of `list` in order, GREASE removed when `dropGrease`. */
function hexList(list: readonly number[], dropGrease: boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const v = list[i]!;
    if (!dropGrease || !isGrease(v)) out.push(hex4(v));
  }
  return out;
}

function anyGrease(list: readonly number[]): boolean {
  for (let i = 0; i < list.length; i++) if (isGrease(list[i]!)) return true;
  return false;
}

/** Resumption mechanisms offered by `ch` (see {@link Resumption}). */
export function resumptionOffered(ch: ClientHello): Resumption[] {
  const out: Resumption[] = [];
  if (ch.sessionIdLength > 0) out.push('session_id');
  if (ch.hasSessionTicket && ch.sessionTicketLength > 0) out.push('session_ticket');
  if (ch.hasPreSharedKey) out.push('psk');
  if (ch.hasEarlyData) out.push('early_data_0rtt');
  return out;
}

/** Event fields for a tls_client_hello event. */
export function clientHelloFields(ch: ClientHello, opts: TlsOptions): Record<string, unknown> {
  const types = extensionTypes(ch);
  const j3 = ja3({
    legacyVersion: ch.legacyVersion,
    cipherSuites: ch.cipherSuites,
    extensionTypes: types,
    supportedGroups: ch.supportedGroups,
    ecPointFormats: ch.ecPointFormats,
  });
  const j4 = ja4({
    protocol: opts.protocol,
    legacyVersion: ch.legacyVersion,
    supportedVersions: ch.supportedVersions,
    cipherSuites: ch.cipherSuites,
    extensionTypes: types,
    signatureAlgorithms: ch.signatureAlgorithms,
    firstAlpn: ch.alpn[0],
  });
  return {
    ja3: j3.hash,
    ja3_full: j3.full,
    ja4: j4.ja4,
    ja4_r: j4.ja4_r,
    ja4_o: j4.ja4_o,
    ja4_ro: j4.ja4_ro,
    tls_version: versionName(ja4Version(ch.legacyVersion, ch.supportedVersions)),
    legacy_version: ch.legacyVersion,
    sni: ch.serverName,
    alpn: ch.alpn.map(latin1),
    ciphers: hexList(ch.cipherSuites, true),
    extensions: hexList(types, true),
    supported_versions: hexList(ch.supportedVersions, true),
    supported_groups: hexList(ch.supportedGroups, true),
    signature_algorithms: hexList(ch.signatureAlgorithms, true),
    key_share_groups: hexList(ch.keyShareGroups, true),
    ec_point_formats: ch.ecPointFormats.slice(),
    resumption: resumptionOffered(ch),
    ech: ch.hasEncryptedClientHello,
    grease:
      anyGrease(ch.cipherSuites) ||
      anyGrease(types) ||
      anyGrease(ch.supportedVersions) ||
      anyGrease(ch.supportedGroups) ||
      anyGrease(ch.signatureAlgorithms) ||
      anyGrease(ch.keyShareGroups),
  };
}

/** Event fields for a tls_session event (server side). JA4S only when opts.ja4plus. */
export function serverHelloFields(sh: ServerHello, opts: TlsOptions): Record<string, unknown> {
  const types = extensionTypes(sh);
  const j3s = ja3s({ legacyVersion: sh.legacyVersion, cipherSuite: sh.cipherSuite, extensionTypes: types });
  const fields: Record<string, unknown> = { ja3s: j3s.hash, ja3s_full: j3s.full };
  if (opts.ja4plus) {
    const j4s = ja4s({
      protocol: opts.protocol,
      legacyVersion: sh.legacyVersion,
      selectedVersion: sh.selectedVersion,
      cipherSuite: sh.cipherSuite,
      extensionTypes: types,
      alpn: sh.alpn,
    });
    fields.ja4s = j4s.ja4s;
    fields.ja4s_r = j4s.ja4s_r;
  }
  fields.tls_version = versionName(sh.selectedVersion ?? sh.legacyVersion);
  fields.legacy_version = sh.legacyVersion;
  fields.cipher = hex4(sh.cipherSuite);
  fields.alpn = sh.alpn === null ? null : latin1(sh.alpn);
  fields.hello_retry_request = sh.isHelloRetryRequest;
  fields.extensions = hexList(types, false);
  return fields;
}
