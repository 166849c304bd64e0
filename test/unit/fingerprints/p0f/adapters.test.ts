// The event adapter rebuilds what p0f needs from a tcp_syn_fingerprint / tcp_synack_fingerprint
// event (the oracle test covers it on real captures; these are the edges).
import { describe, expect, it } from 'vitest';
import { p0fInputFromEvent, p0fSignature } from '../../../../src/fingerprints/p0f/index.js';

const EVENT = {
  event_type: 'tcp_syn_fingerprint',
  ttl: 64,
  window: 65535,
  options: [
    { kind: 2, name: 'mss', value: 1346 },
    { kind: 1, name: 'nop' },
    { kind: 3, name: 'ws', value: 6 },
    { kind: 1, name: 'nop' },
    { kind: 1, name: 'nop' },
    { kind: 8, name: 'ts', tsval: 1852377212, tsecr: 0 },
    { kind: 4, name: 'sok' },
    { kind: 0, name: 'eol', pad: 1 },
  ],
  quirks: ['flow'],
  ip_version: 6,
  ip_id: 0,
  df: false,
  isn: 857026346,
  tos: 0,
  ip_options_len: 0,
  syn_payload_len: 0,
};

describe('p0fInputFromEvent', () => {
  it('rebuilds the options and quirks of an event (docs/fingerprints.md §7 vector)', () => {
    expect(p0fSignature(p0fInputFromEvent(EVENT)!)).toBe(
      '6:64+0:0:1346:65535,6:mss,nop,ws,nop,nop,ts,sok,eol+1:flow:0',
    );
  });

  it('carries flag quirks and the peer MSS of a SYN+ACK', () => {
    const e = {
      ...EVENT,
      event_type: 'tcp_synack_fingerprint',
      window: 7 * 1200,
      quirks: ['flow', 'pushf+', 'ack-'],
    };
    expect(p0fSignature(p0fInputFromEvent(e, 1200)!)).toBe(
      '6:64+0:0:1346:mss*7,6:mss,nop,ws,nop,nop,ts,sok,eol+1:flow,ack-,pushf+:0',
    );
  });

  it('refuses other events and events missing a field p0f needs', () => {
    expect(p0fInputFromEvent({ ...EVENT, event_type: 'tls_client_hello' })).toBeNull();
    expect(p0fInputFromEvent({ ...EVENT, ttl: undefined })).toBeNull();
    expect(p0fInputFromEvent({ ...EVENT, options: 'mss' })).toBeNull();
    expect(p0fInputFromEvent({ ...EVENT, ip_version: 5 })).toBeNull();
  });
});
