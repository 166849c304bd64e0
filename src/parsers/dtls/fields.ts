import type { ClientHello } from '../tls/client-hello.js';
import { clientHelloFields, serverHelloFields } from '../tls/fields.js';
import type { ServerHello } from '../tls/server-hello.js';

/**
 * Event fields of DTLS hellos: the TLS builders with JA4 protocol letter 'd'. No change to ja3.ts,
 * ja4.ts or ja4s.ts is needed, because every DTLS difference lives in the inputs:
 *
 * - JA3 / JA3S, "as Wireshark computes it" (dtls.handshake.ja3 / ja3s): the version is the
 *   ClientHello's (ServerHello's) own client_version / server_version in decimal — 65279 for DTLS 1.0
 *   (0xfeff), 65277 for DTLS 1.2 (0xfefd), 256 for OpenSSL's pre-RFC 0x0100 — never the record version
 *   and never supported_versions; the DTLS cookie is parsed past and is not part of the string; GREASE
 *   is dropped from ciphers, extensions and groups as for TLS. Source: wireshark/wireshark
 *   epan/dissectors/packet-tls-utils.c, ssl_dissect_hnd_cli_hello (the ja3 buffer starts with
 *   `"%i,"` of hs_client_version; the DTLS cookie vector is only added to the tree), confirmed by the
 *   tshark 4.0.17 oracle in test/corpus/oracle (e.g. wireshark-dtls12.pcap:
 *   `65277,49407-49320-49207,10-11-256,23,0`). ClientHello.legacyVersion is exactly that field.
 * - JA4 / JA4S: 'd' + the version code of supported_versions' highest value (JA4) / selected_version
 *   (JA4S), else the hello's legacy version; ja4VersionCode already maps 0xfeff/0xfefd/0xfefc to
 *   d1/d2/d3 and anything else (0x0100 included) to '00', as Arkime pins for wireshark-dtls0.pcap.
 */

/** Options for the DTLS field builders. */
export interface DtlsFieldOptions {
  /** Compute the FoxIO-licensed JA4+ methods (JA4S); false with `--no-ja4plus`. */
  ja4plus: boolean;
}

/**
 * Event fields for a DTLS ClientHello: those of a tls_client_hello with a 'd' JA4, plus
 * `dtls_cookie_length` (of the cookie echoed after a HelloVerifyRequest; 0 on a first ClientHello).
 */
export function dtlsClientHelloFields(ch: ClientHello, opts: DtlsFieldOptions): Record<string, unknown> {
  const fields = clientHelloFields(ch, { ja4plus: opts.ja4plus, protocol: 'd' });
  fields.dtls_cookie_length = ch.cookie === null ? 0 : ch.cookie.length;
  return fields;
}

/** Event fields for a DTLS ServerHello: those of a tls_session with a 'd' JA4S. */
export function dtlsServerHelloFields(sh: ServerHello, opts: DtlsFieldOptions): Record<string, unknown> {
  return serverHelloFields(sh, { ja4plus: opts.ja4plus, protocol: 'd' });
}
