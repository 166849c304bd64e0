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

/** The tls_client_hello fields that depend only on the hello's value lists (GREASE aside). */
interface ClientHelloListFields {
  ja3: string;
  ja3_full: string;
  ja4: string;
  ja4_r: string;
  ja4_o: string;
  ja4_ro: string;
  tls_version: string;
  ciphers: readonly string[];
  extensions: readonly string[];
  supported_versions: readonly string[];
  supported_groups: readonly string[];
  signature_algorithms: readonly string[];
  ec_point_formats: readonly number[];
}

/**
 * Memo of {@link ClientHelloListFields} by the hello's lists. A sensor sees the same client stacks
 * over and over (scanners, bots, one browser build); GREASE values change per connection but every
 * fingerprint ignores them, so they are left out of the key. Chrome permutes its extensions per
 * connection and so mostly misses; a miss costs one key comparison. Entries are verified by
 * comparing the whole key, so a hash collision only costs a recomputation. The map is cleared when
 * full (bounded memory, no LRU bookkeeping).
 */
const LIST_MEMO_MAX_ENTRIES = 4096;
/** Key length (16-bit values) above which a hello is not memoised: ~1000 is far beyond real hellos. */
const LIST_MEMO_MAX_KEY = 1024;
const listMemo = new Map<number, { key: Uint32Array; fields: ClientHelloListFields }>();
let keyScratch = new Uint32Array(256);

/** Appends a length-prefixed list without GREASE to the key scratch; returns the new length. */
function appendKeyList(list: readonly number[], n: number): number {
  if (keyScratch.length < n + list.length + 1) {
    const bigger = new Uint32Array(Math.max(keyScratch.length * 2, n + list.length + 1));
    bigger.set(keyScratch.subarray(0, n));
    keyScratch = bigger;
  }
  const at = n++;
  for (let i = 0; i < list.length; i++) {
    const v = list[i]!;
    if (!isGrease(v)) keyScratch[n++] = v;
  }
  keyScratch[at] = 0x10000 + (n - at - 1); // a length marker no 16-bit value can equal
  return n;
}

function keyHash(n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ keyScratch[i]!, 0x01000193);
  return h >>> 0;
}

function sameKey(stored: Uint32Array, n: number): boolean {
  if (stored.length !== n) return false;
  for (let i = 0; i < n; i++) if (stored[i] !== keyScratch[i]) return false;
  return true;
}

function listFields(ch: ClientHello, types: readonly number[], opts: TlsOptions): ClientHelloListFields {
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
    ciphers: Object.freeze(hexList(ch.cipherSuites, true)),
    extensions: Object.freeze(hexList(types, true)),
    supported_versions: Object.freeze(hexList(ch.supportedVersions, true)),
    supported_groups: Object.freeze(hexList(ch.supportedGroups, true)),
    signature_algorithms: Object.freeze(hexList(ch.signatureAlgorithms, true)),
    ec_point_formats: Object.freeze(ch.ecPointFormats.slice()),
  };
}

/** {@link listFields}, memoised (see {@link listMemo}). */
function memoListFields(ch: ClientHello, types: readonly number[], opts: TlsOptions): ClientHelloListFields {
  let n = 0;
  keyScratch[n++] = opts.protocol.charCodeAt(0);
  keyScratch[n++] = ch.legacyVersion;
  n = appendKeyList(ch.cipherSuites, n);
  n = appendKeyList(types, n);
  n = appendKeyList(ch.supportedGroups, n);
  n = appendKeyList(ch.ecPointFormats, n);
  n = appendKeyList(ch.signatureAlgorithms, n);
  n = appendKeyList(ch.supportedVersions, n);
  const alpn = ch.alpn[0];
  if (alpn !== undefined) {
    // Only the first name's first and last bytes enter JA4 (and its presence); key on all of it.
    const bytes = Array.from(alpn);
    n = appendKeyList(bytes, n);
  } else {
    n = appendKeyList([], n);
  }
  if (n > LIST_MEMO_MAX_KEY) return listFields(ch, types, opts);
  const h = keyHash(n);
  const hit = listMemo.get(h);
  if (hit !== undefined && sameKey(hit.key, n)) return hit.fields;
  const fields = listFields(ch, types, opts);
  if (listMemo.size >= LIST_MEMO_MAX_ENTRIES) listMemo.clear();
  listMemo.set(h, { key: keyScratch.slice(0, n), fields });
  return fields;
}

/** Event fields for a tls_client_hello event. List-valued fields may be shared between calls and
 *  are frozen: read them, don't mutate them. */
export function clientHelloFields(ch: ClientHello, opts: TlsOptions): Record<string, unknown> {
  const types = extensionTypes(ch);
  const l = memoListFields(ch, types, opts);
  return {
    ja3: l.ja3,
    ja3_full: l.ja3_full,
    ja4: l.ja4,
    ja4_r: l.ja4_r,
    ja4_o: l.ja4_o,
    ja4_ro: l.ja4_ro,
    tls_version: l.tls_version,
    legacy_version: ch.legacyVersion,
    sni: ch.serverName,
    alpn: ch.alpn.map(latin1),
    ciphers: l.ciphers,
    extensions: l.extensions,
    supported_versions: l.supported_versions,
    supported_groups: l.supported_groups,
    signature_algorithms: l.signature_algorithms,
    key_share_groups: hexList(ch.keyShareGroups, true),
    ec_point_formats: l.ec_point_formats,
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
