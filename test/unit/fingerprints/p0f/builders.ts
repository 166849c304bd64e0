import type { P0fInput } from '../../../../src/fingerprints/p0f/index.js';

export const SYN = 0x02;
export const ACK = 0x10;

/** A Linux-like SYN: mss 1460, sok, ts (TSval 1), nop, ws 7; DF with a non-zero IP ID. */
export function syn(over: Partial<P0fInput> = {}): P0fInput {
  return {
    ipVersion: 4,
    ttl: 64,
    tos: 0,
    ipFlags: 0x2,
    ipId: 1234,
    flowLabel: 0,
    ipOptsLen: 0,
    seq: 1000,
    ack: 0,
    tcpFlags: SYN,
    urgPtr: 0,
    window: 64240,
    options: Uint8Array.from([2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7]),
    payloadLen: 0,
    ...over,
  };
}
