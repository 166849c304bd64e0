// The test builder must reproduce the RFC's protected packets byte for byte before other tests trust it.
import { describe, expect, it } from 'vitest';
import { deriveInitialKeys } from '../../../../src/parsers/quic/initial-secrets.js';
import { quicVersionParams } from '../../../../src/parsers/quic/versions.js';
import { concat, padding, protectInitial } from './builders.js';
import {
  CLIENT_FRAMES_LENGTH,
  hex,
  RFC_SAMPLES,
  SAMPLE_DCID,
  SAMPLE_SERVER_CID,
  toHex,
} from './rfc-vectors.js';

describe.each(RFC_SAMPLES)('protectInitial reproduces $name', (sample) => {
  const keys = deriveInitialKeys(quicVersionParams(sample.version)!, hex(SAMPLE_DCID));

  it('A.2 client Initial', () => {
    const frame = hex(sample.clientCryptoFrame);
    const packet = protectInitial({
      version: sample.version,
      dcid: hex(SAMPLE_DCID),
      scid: new Uint8Array(0),
      packetNumber: sample.clientPacketNumber,
      pnLength: 4,
      payload: concat(frame, padding(CLIENT_FRAMES_LENGTH - frame.length)),
      keys: keys.client,
    });
    expect(toHex(packet)).toBe(toHex(hex(sample.clientProtected)));
  });

  it('A.3 server Initial', () => {
    const packet = protectInitial({
      version: sample.version,
      dcid: new Uint8Array(0),
      scid: hex(SAMPLE_SERVER_CID),
      packetNumber: sample.serverPacketNumber,
      pnLength: 2,
      payload: hex(sample.serverPayload),
      keys: keys.server,
    });
    expect(toHex(packet)).toBe(toHex(hex(sample.serverProtected)));
  });
});
