/**
 * The QUIC versions whose Initial packets can be opened: QUIC v1 (RFC 9000, RFC 9001) and QUIC v2
 * (RFC 9369). Each fixes its own Initial salt, HKDF labels and long-header packet type codes.
 */

/** Version field values (RFC 9000 §15; RFC 9369 §3.1). */
export const QuicVersion = {
  /** Reserved for Version Negotiation packets (RFC 9000 §17.2.1). */
  NEGOTIATION: 0x00000000,
  V1: 0x00000001,
  V2: 0x6b3343cf,
} as const;

/** Long-header packet kinds, independent of their version-specific type code. */
export type LongPacketKind = 'initial' | '0rtt' | 'handshake' | 'retry';

/** What one QUIC version changes in Initial packet protection and in the long header. */
export interface QuicVersionParams {
  version: number;
  /** initial_salt of RFC 9001 §5.2 / RFC 9369 §3.3.1. */
  salt: Uint8Array;
  /** HKDF-Expand-Label labels for the AEAD key, IV and header-protection key (RFC 9369 §3.3.2). */
  keyLabel: string;
  ivLabel: string;
  hpLabel: string;
  /** Packet kind of each 2-bit Long Packet Type value (RFC 9000 §17.2 Table 5; RFC 9369 §3.2). */
  kinds: readonly [LongPacketKind, LongPacketKind, LongPacketKind, LongPacketKind];
}

function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'hex'));
}

const V1: QuicVersionParams = {
  version: QuicVersion.V1,
  salt: hex('38762cf7f55934b34d179ae6a4c80cadccbb7f0a'),
  keyLabel: 'quic key',
  ivLabel: 'quic iv',
  hpLabel: 'quic hp',
  kinds: ['initial', '0rtt', 'handshake', 'retry'],
};

const V2: QuicVersionParams = {
  version: QuicVersion.V2,
  salt: hex('0dede3def700a6db819381be6e269dcbf9bd2ed9'),
  keyLabel: 'quicv2 key',
  ivLabel: 'quicv2 iv',
  hpLabel: 'quicv2 hp',
  kinds: ['retry', 'initial', '0rtt', 'handshake'],
};

/** Parameters of `version`, or undefined when its Initial packets cannot be opened here. */
export function quicVersionParams(version: number): QuicVersionParams | undefined {
  if (version === QuicVersion.V1) return V1;
  if (version === QuicVersion.V2) return V2;
  return undefined;
}

/** True for the versions {@link quicVersionParams} knows. */
export function isKnownQuicVersion(version: number): boolean {
  return version === QuicVersion.V1 || version === QuicVersion.V2;
}
