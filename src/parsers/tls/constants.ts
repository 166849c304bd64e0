/** Wire constants named after RFC 8446 / RFC 5246 and the IANA TLS registries. */

/** TLS record ContentType (RFC 8446 §5.1). */
export const ContentType = {
  CHANGE_CIPHER_SPEC: 20,
  ALERT: 21,
  HANDSHAKE: 22,
  APPLICATION_DATA: 23,
  HEARTBEAT: 24,
} as const;

/** HandshakeType (RFC 8446 §4, RFC 5246 §7.4). */
export const HandshakeType = {
  HELLO_REQUEST: 0,
  CLIENT_HELLO: 1,
  SERVER_HELLO: 2,
  HELLO_VERIFY_REQUEST: 3,
  NEW_SESSION_TICKET: 4,
  END_OF_EARLY_DATA: 5,
  ENCRYPTED_EXTENSIONS: 8,
  CERTIFICATE: 11,
  SERVER_KEY_EXCHANGE: 12,
  CERTIFICATE_REQUEST: 13,
  SERVER_HELLO_DONE: 14,
  CERTIFICATE_VERIFY: 15,
  CLIENT_KEY_EXCHANGE: 16,
  FINISHED: 20,
  KEY_UPDATE: 24,
  MESSAGE_HASH: 254,
} as const;

/** ExtensionType values this code decodes or names (IANA "TLS ExtensionType Values"). */
export const ExtensionType = {
  SERVER_NAME: 0x0000,
  SUPPORTED_GROUPS: 0x000a,
  EC_POINT_FORMATS: 0x000b,
  SIGNATURE_ALGORITHMS: 0x000d,
  APPLICATION_LAYER_PROTOCOL_NEGOTIATION: 0x0010,
  PADDING: 0x0015,
  SESSION_TICKET: 0x0023,
  PRE_SHARED_KEY: 0x0029,
  EARLY_DATA: 0x002a,
  SUPPORTED_VERSIONS: 0x002b,
  PSK_KEY_EXCHANGE_MODES: 0x002d,
  KEY_SHARE: 0x0033,
  ENCRYPTED_CLIENT_HELLO: 0xfe0d,
  RENEGOTIATION_INFO: 0xff01,
} as const;

/** ProtocolVersion values (RFC 8446 §4.2.1, RFC 6347, RFC 9147). */
export const ProtocolVersion = {
  SSL_2_0: 0x0002,
  SSL_3_0: 0x0300,
  TLS_1_0: 0x0301,
  TLS_1_1: 0x0302,
  TLS_1_2: 0x0303,
  TLS_1_3: 0x0304,
  DTLS_1_0: 0xfeff,
  DTLS_1_2: 0xfefd,
  DTLS_1_3: 0xfefc,
} as const;

/** SNI NameType host_name (RFC 6066 §3). */
export const NAME_TYPE_HOST_NAME = 0;

/** Length of ClientHello.random / ServerHello.random (bytes). */
export const RANDOM_LENGTH = 32;

/** legacy_session_id is at most 32 bytes (RFC 8446 §4.1.2). */
export const MAX_SESSION_ID_LENGTH = 32;

/**
 * ServerHello.random of a HelloRetryRequest: SHA-256("HelloRetryRequest") (RFC 8446 §4.1.3).
 */
export const HELLO_RETRY_REQUEST_RANDOM: Uint8Array = Uint8Array.of(
  0xcf,
  0x21,
  0xad,
  0x74,
  0xe5,
  0x9a,
  0x61,
  0x11,
  0xbe,
  0x1d,
  0x8c,
  0x02,
  0x1e,
  0x65,
  0xb8,
  0x91,
  0xc2,
  0xa2,
  0x11,
  0x16,
  0x7a,
  0xbb,
  0x8c,
  0x5e,
  0x07,
  0x9e,
  0x09,
  0xe2,
  0xc8,
  0xa8,
  0x33,
  0x9c,
);

/** Human name of a protocol version ("TLS 1.3", "DTLS 1.2"), or "0xNNNN" for anything else. */
export function versionName(v: number): string {
  switch (v) {
    case ProtocolVersion.SSL_2_0:
      return 'SSL 2.0';
    case ProtocolVersion.SSL_3_0:
      return 'SSL 3.0';
    case ProtocolVersion.TLS_1_0:
      return 'TLS 1.0';
    case ProtocolVersion.TLS_1_1:
      return 'TLS 1.1';
    case ProtocolVersion.TLS_1_2:
      return 'TLS 1.2';
    case ProtocolVersion.TLS_1_3:
      return 'TLS 1.3';
    case ProtocolVersion.DTLS_1_0:
      return 'DTLS 1.0';
    case ProtocolVersion.DTLS_1_2:
      return 'DTLS 1.2';
    case ProtocolVersion.DTLS_1_3:
      return 'DTLS 1.3';
    default:
      return '0x' + (v & 0xffff).toString(16).padStart(4, '0');
  }
}
