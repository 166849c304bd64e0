import { describe, expect, it } from 'vitest';
import { OffsetAssembler } from '../../../../src/parsers/quic/assembler.js';
import { parseInitialFrames } from '../../../../src/parsers/quic/frames.js';
import { ackFrame, concat, connectionCloseFrame, cryptoFrame, PING, padding } from './builders.js';
import { CLIENT_FRAMES_LENGTH, hex, RFC9001 } from './rfc-vectors.js';

const HELLO = Uint8Array.from({ length: 40 }, (_, i) => i + 1);

interface Case {
  name: string;
  payload: Uint8Array;
  /** Contiguous CRYPTO bytes expected from offset 0. */
  crypto: number;
  frames: number;
  cryptoFrames: number;
  paddingBytes: number;
  ackEliciting: boolean;
  connectionCloseError: number | null;
  anomalies: string[];
}

const CASES: Case[] = [
  {
    name: 'RFC 9001 A.2 payload: CRYPTO then 917 bytes of PADDING',
    payload: concat(
      hex(RFC9001.clientCryptoFrame),
      padding(CLIENT_FRAMES_LENGTH - hex(RFC9001.clientCryptoFrame).length),
    ),
    crypto: 241,
    frames: 2,
    cryptoFrames: 1,
    paddingBytes: CLIENT_FRAMES_LENGTH - hex(RFC9001.clientCryptoFrame).length,
    ackEliciting: true,
    connectionCloseError: null,
    anomalies: [],
  },
  {
    name: 'RFC 9001 A.3 payload: ACK then CRYPTO',
    payload: hex(RFC9001.serverPayload),
    crypto: 0x5a,
    frames: 2,
    cryptoFrames: 1,
    paddingBytes: 0,
    ackEliciting: true,
    connectionCloseError: null,
    anomalies: [],
  },
  {
    name: 'pieces out of order with PING and PADDING between them (Chrome style)',
    payload: concat(
      [PING],
      cryptoFrame(20, HELLO.subarray(20)),
      padding(3),
      [PING],
      cryptoFrame(0, HELLO.subarray(0, 20)),
      padding(5),
    ),
    crypto: 40,
    frames: 6,
    cryptoFrames: 2,
    paddingBytes: 8,
    ackEliciting: true,
    connectionCloseError: null,
    anomalies: [],
  },
  {
    name: 'ACK with two extra ranges and ACK_ECN only: not ack-eliciting',
    payload: concat(
      ackFrame(100, 3, [
        [1, 2],
        [0, 5],
      ]),
      ackFrame(20000, 7, [], true),
    ),
    crypto: 0,
    frames: 2,
    cryptoFrames: 0,
    paddingBytes: 0,
    ackEliciting: false,
    connectionCloseError: null,
    anomalies: [],
  },
  {
    name: 'CONNECTION_CLOSE (0x1c) with a reason',
    payload: connectionCloseFrame(0x0a, 0x06, 'bad'),
    crypto: 0,
    frames: 1,
    cryptoFrames: 0,
    paddingBytes: 0,
    ackEliciting: false,
    connectionCloseError: 0x0a,
    anomalies: ['connection_close'],
  },
  {
    name: 'STREAM frame (0x08) is not allowed in an Initial: stop, keep what came before',
    payload: concat(
      cryptoFrame(0, HELLO.subarray(0, 10)),
      [0x08, 0x00, 0x41],
      cryptoFrame(10, HELLO.subarray(10)),
    ),
    crypto: 10,
    frames: 2,
    cryptoFrames: 1,
    paddingBytes: 0,
    ackEliciting: true,
    connectionCloseError: null,
    anomalies: ['unexpected_frame'],
  },
  {
    name: 'CONNECTION_CLOSE 0x1d (application) is not allowed in an Initial',
    payload: Uint8Array.of(0x1d, 0x00, 0x00),
    crypto: 0,
    frames: 1,
    cryptoFrames: 0,
    paddingBytes: 0,
    ackEliciting: false,
    connectionCloseError: null,
    anomalies: ['unexpected_frame'],
  },
  {
    name: 'CRYPTO longer than the payload',
    payload: Uint8Array.of(0x06, 0x00, 0x10, 0x01, 0x02),
    crypto: 0,
    frames: 1,
    cryptoFrames: 0,
    paddingBytes: 0,
    ackEliciting: false,
    connectionCloseError: null,
    anomalies: ['bad_frame'],
  },
  {
    name: 'ACK with a First ACK Range above Largest Acknowledged',
    payload: ackFrame(3, 4),
    crypto: 0,
    frames: 1,
    cryptoFrames: 0,
    paddingBytes: 0,
    ackEliciting: false,
    connectionCloseError: null,
    anomalies: ['bad_frame'],
  },
  {
    name: 'ACK claiming 2^30 ranges in 6 bytes',
    payload: Uint8Array.of(0x02, 0x05, 0x00, 0xbf, 0xff, 0xff, 0xff, 0x00),
    crypto: 0,
    frames: 1,
    cryptoFrames: 0,
    paddingBytes: 0,
    ackEliciting: false,
    connectionCloseError: null,
    anomalies: ['bad_frame'],
  },
  {
    name: 'truncated frame type varint',
    payload: Uint8Array.of(0x01, 0x40),
    crypto: 0,
    frames: 2,
    cryptoFrames: 0,
    paddingBytes: 0,
    ackEliciting: true,
    connectionCloseError: null,
    anomalies: ['bad_frame'],
  },
  {
    name: 'empty payload',
    payload: new Uint8Array(0),
    crypto: 0,
    frames: 0,
    cryptoFrames: 0,
    paddingBytes: 0,
    ackEliciting: false,
    connectionCloseError: null,
    anomalies: ['empty_packet'],
  },
];

describe('parseInitialFrames', () => {
  it.each(CASES)('$name', (c) => {
    const crypto = new OffsetAssembler(1 << 16);
    const anomalies: string[] = [];
    const r = parseInitialFrames(c.payload, crypto, anomalies);
    expect(r).toEqual({
      frames: c.frames,
      cryptoFrames: c.cryptoFrames,
      paddingBytes: c.paddingBytes,
      ackEliciting: c.ackEliciting,
      connectionCloseError: c.connectionCloseError,
    });
    expect(anomalies).toEqual(c.anomalies);
    expect(crypto.contiguous).toBe(c.crypto);
  });

  it('delivers the CRYPTO bytes themselves', () => {
    const crypto = new OffsetAssembler(1024);
    parseInitialFrames(
      concat(cryptoFrame(20, HELLO.subarray(20)), cryptoFrame(0, HELLO.subarray(0, 20))),
      crypto,
      [],
    );
    expect(crypto.prefix()).toEqual(HELLO);
  });
});
