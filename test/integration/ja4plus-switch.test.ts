// --no-ja4plus turns every FoxIO-licensed method off (DESIGN.md "Fingerprints and their licences"):
// JA4S, JA4X, JA4L/JA4LS, JA4T/JA4TS and JA4H leave the events; JA3 and JA4 (BSD-3) stay.
import { describe, expect, it } from 'vitest';
import { CORPUS } from '../helpers/corpus.js';
import { type Event, replay } from '../helpers/replay.js';

const CAPTURES = [
  'foxio-ja4/pcap/tls-alpn-h2.pcap', // TLS 1.2 with a certificate chain
  'suricata-verify/tests/quic-ietf-ja3/input.pcap', // QUIC client and server Initials
  'arkime/tests/pcap/wireshark-dtls12.pcap', // DTLS 1.2 hellos
].map((p) => `${CORPUS}${p}`);

const JA4PLUS_KEY = /^(ja4s|ja4s_r|ja4x|ja4x_r|ja4l|ja4ls|ja4t|ja4ts|ja4h|ja4h_o)$/;

function ja4plusKeys(events: Event[]): string[] {
  const keys = new Set<string>();
  for (const e of events) for (const k of Object.keys(e)) if (JA4PLUS_KEY.test(k)) keys.add(k);
  return [...keys].sort();
}

describe('--no-ja4plus', () => {
  it('with JA4+ on, the TLS, QUIC, DTLS, certificate and TCP events carry their JA4+ fields', async () => {
    const { events } = await replay(CAPTURES, { ja4plus: true });
    expect(ja4plusKeys(events)).toEqual(
      expect.arrayContaining(['ja4l', 'ja4ls', 'ja4s', 'ja4s_r', 'ja4t', 'ja4ts', 'ja4x', 'ja4x_r']),
    );
    const types = new Set(events.map((e) => e.event_type));
    for (const t of [
      'tls_certificate',
      'quic_client_hello',
      'quic_session',
      'dtls_client_hello',
      'dtls_session',
    ]) {
      expect(types, t).toContain(t);
    }
  });

  it('with JA4+ off, no event carries any of them, and JA3/JA4 are unchanged', async () => {
    const on = await replay(CAPTURES, { ja4plus: true });
    const off = await replay(CAPTURES, { ja4plus: false });
    expect(ja4plusKeys(off.events)).toEqual([]);
    const ja4s = (r: { events: Event[] }) =>
      r.events.filter((e) => typeof e.ja4 === 'string').map((e) => `${e.event_type} ${e.ja4} ${e.ja3}`);
    expect(ja4s(off)).toEqual(ja4s(on));
    expect(off.events.filter((e) => e.event_type === 'tls_certificate').length).toBeGreaterThan(0);
  });
});
