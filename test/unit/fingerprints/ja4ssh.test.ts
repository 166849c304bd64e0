import { describe, expect, it } from 'vitest';
import { RecordType, type SshWindowRecord } from '../../../src/batch/format.js';
import { ja4sshEventFields } from '../../../src/events/ja4ssh.js';
import {
  JA4SSH_WINDOW_PACKETS,
  ja4ssh,
  payloadLengthMode,
} from '../../../src/fingerprints/ja4plus/ja4ssh.js';

const FORMAT = /^c\d+s\d+_c\d+s\d+_c\d+s\d+$/;

/** A window given as its client and server payload lengths and bare ACK counts. */
function windowOf(client: number[], server: number[], acksClient: number, acksServer: number) {
  return {
    modeClient: payloadLengthMode(client),
    modeServer: payloadLengthMode(server),
    packetsClient: client.length,
    packetsServer: server.length,
    acksClient,
    acksServer,
  };
}

const rep = (len: number, n: number) => new Array<number>(n).fill(len);

describe('payloadLengthMode', () => {
  it.each<[string, number[], number]>([
    ['empty: no packets from that side', [], 0],
    ['a single length', [36], 36],
    [
      'the most frequent length wins over larger and smaller ones',
      [...rep(36, 20), ...rep(128, 10), ...rep(200, 15)],
      36,
    ],
    ['the most frequent length wins when it is the largest', [...rep(20, 3), ...rep(1460, 4), 52], 1460],
    ['a two-way tie goes to the smaller length', [52, 36, 52, 36], 36],
    ['an all-distinct window goes to the smallest length', [21, 16, 64, 144, 24, 48, 792], 16],
    ['ties are order-independent', [792, 48, 24, 144, 64, 16, 21], 16],
    ['a later, larger tie does not displace an earlier smaller one', [...rep(76, 3), ...rep(112, 3)], 76],
    ['a later, smaller tie displaces an earlier larger one', [...rep(112, 3), ...rep(76, 3)], 76],
    ['zero-length entries are lengths like any other', [0, 0, 5], 0],
    ['saturated 16-bit lengths', [65535, 65535, 1], 65535],
  ])('%s', (_name, lengths, mode) => {
    expect(payloadLengthMode(lengths)).toBe(mode);
    expect(payloadLengthMode(Uint16Array.from(lengths))).toBe(mode);
  });
});

describe('JA4SSH', () => {
  // The method diagram's examples (FoxIO JA4SSH.png) pin the format; the windows below are built
  // to produce them from packet lengths, so the mode and count rules are exercised on the way.
  it.each<[string, ReturnType<typeof windowOf>, string]>([
    [
      'interactive session (diagram example)',
      windowOf([...rep(36, 40), ...rep(100, 11)], [...rep(36, 50), ...rep(52, 30)], 69, 0),
      'c36s36_c51s80_c69s0',
    ],
    [
      'reverse shell (diagram example)',
      windowOf([...rep(76, 40), ...rep(36, 31)], [...rep(76, 30), ...rep(148, 29)], 0, 70),
      'c76s76_c71s59_c0s70',
    ],
    [
      // The diagram prints c112s1460_c0s179_c21s0: a client mode with no client packet, which is
      // FoxIO's Python carrying the previous window's mode over; the Rust rule (ours) gives c0.
      'file download (diagram example, no client packet in the window)',
      windowOf([], [...rep(1460, 150), ...rep(112, 29)], 21, 0),
      'c0s1460_c0s179_c21s0',
    ],
  ])('%s', (_name, w, expected) => {
    const fp = ja4ssh(w);
    expect(fp).toMatch(FORMAT);
    expect(fp).toBe(expected);
  });

  it('writes a side without packets as mode 0, count 0', () => {
    const w = windowOf([], [], 3, 1);
    expect(ja4ssh(w)).toBe('c0s0_c0s0_c3s1');
  });

  it('prints counts in full: no padding and no saturation', () => {
    expect(
      ja4ssh({
        modeClient: 7,
        modeServer: 65535,
        packetsClient: 1,
        packetsServer: 199,
        acksClient: 123456,
        acksServer: 0,
      }),
    ).toBe('c7s65535_c1s199_c123456s0');
  });
});

describe('ssh_traffic event fields', () => {
  const rec = (over: Partial<SshWindowRecord> = {}): SshWindowRecord =>
    ({
      type: RecordType.sshWindow,
      flags: 0,
      flow: null as never,
      tsFirstUs: 1_700_000_000_000_000,
      tsLastUs: 1_700_000_001_500_000,
      windowIndex: 2,
      modeClient: 36,
      modeServer: 52,
      packetsClient: 120,
      packetsServer: 80,
      acksClient: 5,
      acksServer: 1,
      ...over,
    }) as SshWindowRecord;

  it('carries the fingerprint and the counts it was made from', () => {
    expect(ja4sshEventFields(rec(), { ja4plus: true })).toEqual({
      ja4ssh: 'c36s52_c120s80_c5s1',
      window_index: 2,
      packets_client: 120,
      packets_server: 80,
      acks_client: 5,
      acks_server: 1,
      mode_len_client: 36,
      mode_len_server: 52,
      partial: false,
      first_ts: '2023-11-14T22:13:20.000000Z',
    });
  });

  it('marks the last, shorter window of a flow partial', () => {
    const f = ja4sshEventFields(rec({ flags: 1, packetsClient: 3, packetsServer: 4 }), { ja4plus: true });
    expect(f).toMatchObject({ ja4ssh: 'c36s52_c3s4_c5s1', partial: true });
    expect(JA4SSH_WINDOW_PACKETS).toBe(200);
  });

  it('sends nothing with --no-ja4plus', () => {
    expect(ja4sshEventFields(rec(), { ja4plus: false })).toBeNull();
  });
});
