// Our output parsed by our input is identical: every event type the sensor emits (real sensor
// output, test/fixtures/syslog/sensor-events.jsonl), with hostile values in every string field,
// through every path a line takes (one line, a newline-framed file, an octet-counted TCP stream).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventSyslogParams, eventToSyslog, syslogToEvent } from '../../../src/syslog/format.js';
import { SyslogFramer } from '../../../src/syslog/framer.js';
import type { SyslogMessage } from '../../../src/syslog/message.js';
import { parseRfc5424, type SyslogParseOptions } from '../../../src/syslog/parse.js';

const FIXTURE = new URL('../../fixtures/syslog/sensor-events.jsonl', import.meta.url);
const EVENTS: Record<string, unknown>[] = readFileSync(FIXTURE, 'utf8')
  .split('\n')
  .filter((l) => l)
  .map((l) => JSON.parse(l));

/** Every event type src/events/build.ts emits. */
const SENSOR_EVENT_TYPES = [
  'dtls_client_hello',
  'dtls_session',
  'http2_preface',
  'http_request',
  'http_response',
  'quic_client_hello',
  'quic_session',
  'scan_summary',
  'smtp_envelope',
  'ssh_client_banner',
  'ssh_kexinit',
  'ssh_server_banner',
  'ssh_traffic',
  'tcp_flow_timing',
  'tcp_syn_fingerprint',
  'tcp_syn_repeat',
  'tcp_synack_fingerprint',
  'tcp_synack_repeat',
  'tls_certificate',
  'tls_client_hello',
  'tls_session',
];

/** What a line can give back: null fields are not written (DECNET leaves absent fields out). */
function withoutNulls(e: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(e).filter(([, v]) => v !== null && v !== undefined));
}

const LONG = 'A'.repeat(3000) + '"]\\\n';

const HOSTILE = [
  ']',
  '"',
  '\\',
  '\\]',
  '\\"',
  '"]',
  'x"] [relay@55555 src_ip="6.6.6.6"]',
  'evil]x.com',
  'a\n<134>1 2026-06-20T10:00:00+00:00 decky-01 sniffer - tcp_syn_fingerprint [relay@55555 src_ip="6.6.6.6"]',
  'cr\rlf\r\n',
  'nul\0byte',
  '\x1b[31mred\x1b[0m',
  '\u0085\u2028\u2029',
  'é ü ß 中文 😀',
  '\ud800 lone \udfff',
  '\\n \\x41 \\u2028',
  '',
  '-',
  ' ',
  '[',
  '=',
  'k="v"',
  'h2,http/1.1',
  '123',
  'true',
  '["json"]',
  LONG,
];

/** `e` with every string field, and every string in a string list, replaced by `h`. The envelope
 *  that names the flow (addresses, ts, type) is left alone: it is never attacker text. */
function hostile(e: Record<string, unknown>, h: string): Record<string, unknown> {
  const keep = new Set(['ts', 'event_type', 'src_ip', 'dst_ip', 'community_id', 'transport']);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    if (keep.has(k)) out[k] = v;
    else if (typeof v === 'string') out[k] = h;
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out[k] = v.map(() => h);
    else out[k] = v;
  }
  return out;
}

const BIG: SyslogParseOptions = { maxBytes: 1 << 22 };

/** The message of a line that must parse. */
function message(line: string | Uint8Array, opts: SyslogParseOptions): SyslogMessage {
  const r = parseRfc5424(line, opts);
  if (!r.ok) throw new Error(`${r.error.code} at ${r.error.offset}`);
  return r.message;
}

function roundTrip(line: string, opts: SyslogParseOptions): Record<string, unknown> | null {
  const r = parseRfc5424(line, opts);
  if (!r.ok) throw new Error(`${r.error.code} at ${r.error.offset}: ${line.slice(0, 200)}`);
  return syslogToEvent(r.message);
}

describe('fixture', () => {
  it('holds every sensor event type', () => {
    expect([...new Set(EVENTS.map((e) => e.event_type))].sort()).toEqual(SENSOR_EVENT_TYPES);
  });
});

describe.each(SENSOR_EVENT_TYPES)('%s', (type) => {
  const events = EVENTS.filter((e) => e.event_type === type);

  it('one line, default escaping: params and event identical', () => {
    for (const e of events) {
      const line = eventToSyslog(e);
      expect(line).not.toMatch(/[\r\n]/);
      const r = parseRfc5424(line, { unescapeControls: true });
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.message.msgId).toBe(type);
      expect(r.message.structuredData).toHaveLength(1);
      expect(r.message.structuredData[0]!.params).toEqual(eventSyslogParams(e));
      const back = syslogToEvent(r.message);
      expect(back).toEqual(withoutNulls(e));
      expect(JSON.stringify(back)).toBe(JSON.stringify(withoutNulls(e))); // key order too
    }
  });

  it('raw control characters: identical through an RFC-strict parse', () => {
    for (const e of events)
      expect(roundTrip(eventToSyslog(e, { controls: 'raw' }), {})).toEqual(withoutNulls(e));
  });

  it.each(HOSTILE.map((h) => [JSON.stringify(h).slice(0, 40), h]))('hostile value %s survives', (_, h) => {
    for (const e of events) {
      const evil = hostile(e, h!);
      const want = withoutNulls(evil);
      const line = eventToSyslog(evil);
      expect(line).not.toMatch(/[\r\n]/);
      expect(roundTrip(line, { ...BIG, unescapeControls: true })).toEqual(want);
      if (!/[\ud800-\udfff]/.test(h!.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''))) {
        // raw mode writes UTF-8, where a lone surrogate cannot exist (it becomes U+FFFD)
        expect(roundTrip(eventToSyslog(evil, { controls: 'raw' }), BIG)).toEqual(want);
      }
    }
  });
});

describe('through the framings', () => {
  const hostileEvents = EVENTS.flatMap((e) => HOSTILE.slice(0, -1).map((h) => hostile(e, h)));
  const all = [...EVENTS, ...hostileEvents];
  const encoder = new TextEncoder();

  /** Feeds `bytes` to a framer in chunks of the given sizes (cycled). */
  function frames(bytes: Uint8Array, sizes: number[]): Uint8Array[] {
    const f = new SyslogFramer({ maxMessageBytes: 1 << 20 });
    const out: Uint8Array[] = [];
    let i = 0;
    let k = 0;
    while (i < bytes.length) {
      const n = sizes[k++ % sizes.length]!;
      out.push(...f.push(bytes.subarray(i, i + n)));
      i += n;
    }
    out.push(...f.end());
    expect(f.stats).toMatchObject({ oversize: 0, garbageBytes: 0, resplits: 0, truncated: 0 });
    return out;
  }

  it('a file of lines (newline framing, escaped controls)', () => {
    const text = `${all.map((e) => eventToSyslog(e)).join('\n')}\n`;
    const got = frames(encoder.encode(text), [1, 7, 4096, 13, 65536]).map((b) =>
      syslogToEvent(message(b, { ...BIG, unescapeControls: true })),
    );
    expect(got).toEqual(all.map(withoutNulls));
  });

  it('a TCP stream with octet counting (raw controls: CR, LF and NUL travel as bytes)', () => {
    const parts = all
      .filter((e) => !Object.values(e).some((v) => typeof v === 'string' && /[\ud800-\udfff]/.test(v)))
      .map((e) => {
        const b = encoder.encode(eventToSyslog(e, { controls: 'raw' }));
        return { e, framed: Uint8Array.from([...encoder.encode(`${b.length} `), ...b]) };
      });
    const stream = Uint8Array.from(parts.flatMap((p) => [...p.framed]));
    const got = frames(stream, [3, 1, 999, 64, 70000]).map((b) => syslogToEvent(message(b, BIG)));
    expect(got).toEqual(parts.map((p) => withoutNulls(p.e)));
  });
});

describe('DECNET compatibility params', () => {
  it('SYN events carry has_sack, has_timestamps and dscp; hellos raw_ciphers; QUIC ja4_quic', () => {
    const syn = EVENTS.find((e) => e.event_type === 'tcp_syn_fingerprint')!;
    const params = Object.fromEntries(eventSyslogParams(syn));
    expect(params.has_sack).toMatch(/^(true|false)$/);
    expect(params.has_timestamps).toMatch(/^(true|false)$/);
    expect(params.dscp).toBe(String(((syn.tos as number) >> 2) & 63));
    const quic = EVENTS.find((e) => e.event_type === 'quic_client_hello')!;
    const q = Object.fromEntries(eventSyslogParams(quic));
    expect(q.ja4_quic).toBe(quic.ja4);
    expect(q.raw_ciphers).toBe((quic.ciphers as string[]).map((h) => Number.parseInt(h, 16)).join('-'));
    expect(Object.fromEntries(eventSyslogParams(quic, { decnetCompat: false })).ja4_quic).toBeUndefined();
  });

  it('a compatibility param that disagrees with its source is kept, not silently dropped', () => {
    const line =
      '<134>1 2026-06-20T10:00:00+00:00 d sniffer - tcp_syn_fingerprint [relay@55555 src_ip="10.0.0.1" tos="8" dscp="63"]';
    const r = parseRfc5424(line);
    expect(r.ok && syslogToEvent(r.message)).toEqual({
      ts: '2026-06-20T10:00:00.000000Z',
      event_type: 'tcp_syn_fingerprint',
      src_ip: '10.0.0.1',
      tos: 8,
      dscp: '63',
    });
  });

  it("DECNET's own sniffer lines decode with typed known fields", () => {
    const line =
      '<134>1 2026-06-20T10:00:00.123456+00:00 decky-01 sniffer - tcp_flow_timing [relay@55555 src_ip="10.0.0.7" ' +
      'src_port="40000" dst_ip="192.168.1.10" dst_port="22" packets="5" bytes="1.5" duration_s="0.004" ' +
      'mean_iat_ms="1.0" min_iat_ms="0.5" max_iat_ms="2.0" retransmits="0"]';
    const r = parseRfc5424(line);
    const e = r.ok ? syslogToEvent(r.message) : null;
    // Python's str(1.0) is "1.0": any decimal is read as a number for the numeric fields.
    expect(e).toMatchObject({
      src_port: 40000,
      packets: 5,
      duration_s: 0.004,
      mean_iat_ms: 1,
      retransmits: 0,
    });
  });
});
