// RFC 5424 output and DECNET's line format (docs/decnet-reference.md §3.17), byte for byte.
import { describe, expect, it } from 'vitest';
import {
  encodeFieldValue,
  escapeParamValue,
  eventSeverity,
  eventToSyslog,
  formatRfc5424,
  SyslogFormatError,
} from '../../../src/syslog/format.js';
import {
  decnetTimestamp,
  type SyslogMessage,
  timestampToIso,
  toHeaderField,
  toSdName,
} from '../../../src/syslog/message.js';

const base: SyslogMessage = {
  facility: 16,
  severity: 6,
  timestamp: null,
  hostname: null,
  appName: null,
  procId: null,
  msgId: null,
  structuredData: [],
  msg: null,
};

describe('formatRfc5424', () => {
  it('writes NILVALUE for every absent header field and for empty STRUCTURED-DATA', () => {
    expect(formatRfc5424(base)).toBe('<134>1 - - - - - -');
  });

  it('PRI is facility * 8 + severity', () => {
    expect(formatRfc5424({ ...base, facility: 0, severity: 0 })).toMatch(/^<0>1 /);
    expect(formatRfc5424({ ...base, facility: 23, severity: 7 })).toMatch(/^<191>1 /);
    expect(formatRfc5424({ ...base, severity: 4 })).toMatch(/^<132>1 /);
  });

  it('RFC 5424 §6.5 example 4: two SD-ELEMENTs, no MSG', () => {
    const line = formatRfc5424({
      ...base,
      facility: 20,
      severity: 5,
      timestamp: '2003-10-11T22:14:15.003Z',
      hostname: 'mymachine.example.com',
      appName: 'evntslog',
      msgId: 'ID47',
      structuredData: [
        {
          id: 'exampleSDID@32473',
          params: [
            ['iut', '3'],
            ['eventSource', 'Application'],
            ['eventID', '1011'],
          ],
        },
        { id: 'examplePriority@32473', params: [['class', 'high']] },
      ],
    });
    expect(line).toBe(
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 ' +
        '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]',
    );
  });

  it('writes a UTF-8 BOM before MSG only when asked (DECNET never does)', () => {
    expect(formatRfc5424({ ...base, msg: 'héllo' })).toBe('<134>1 - - - - - - héllo');
    expect(formatRfc5424({ ...base, msg: 'héllo', msgBom: true })).toBe('<134>1 - - - - - - \uFEFFhéllo');
    expect(formatRfc5424({ ...base, msg: '' })).toBe('<134>1 - - - - - -');
  });

  it('escapes ", \\ and ] in values (§6.3.3)', () => {
    const line = formatRfc5424({
      ...base,
      structuredData: [{ id: 'relay@55555', params: [['v', 'a"b\\c]d']] }],
    });
    expect(line).toBe('<134>1 - - - - - [relay@55555 v="a\\"b\\\\c\\]d"]');
  });

  it('refuses what the grammar forbids, with a code', () => {
    const bad = (m: Partial<SyslogMessage>, code: string) => {
      try {
        formatRfc5424({ ...base, ...m });
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(SyslogFormatError);
        expect((e as SyslogFormatError).code).toBe(code);
      }
    };
    bad({ severity: 8 }, 'bad_priority');
    bad({ facility: 24 }, 'bad_priority');
    bad({ timestamp: '2003-10-11 22:14:15' }, 'bad_timestamp');
    bad({ hostname: 'has space' }, 'bad_header_field');
    bad({ appName: 'a'.repeat(49) }, 'bad_header_field');
    bad({ msgId: 'x'.repeat(33) }, 'bad_header_field');
    bad({ structuredData: [{ id: 'a=b', params: [] }] }, 'bad_sd_id');
    bad({ structuredData: [{ id: 'a'.repeat(33), params: [] }] }, 'bad_sd_id');
    bad(
      {
        structuredData: [
          { id: 'x@1', params: [] },
          { id: 'x@1', params: [] },
        ],
      },
      'duplicate_sd_id',
    );
    for (const name of ['a b', 'a=b', 'a]', 'a"', '', 'n'.repeat(33), 'é']) {
      bad({ structuredData: [{ id: 'x@1', params: [[name, 'v']] }] }, 'bad_param_name');
    }
  });
});

describe('escapeParamValue', () => {
  it.each([
    ['plain', 'plain'],
    ['"', '\\"'],
    ['\\', '\\\\'],
    [']', '\\]'],
    ['[', '['],
    ['a\nb', 'a\\nb'],
    ['a\r\nb', 'a\\r\\nb'],
    ['\t', '\\t'],
    ['\0', '\\x00'],
    ['\x1b[31m', '\\x1b[31m'],
    ['\x7f', '\\x7f'],
    ['\u0085', '\\x85'],
    ['\u2028', '\\u2028'],
    ['\ud800', '\\ud800'],
    ['😀 é ü', '😀 é ü'],
    ['\\n', '\\\\n'],
  ])('escape mode: %j -> %j', (value, want) => {
    expect(escapeParamValue(value)).toBe(want);
  });

  it('raw mode escapes only the three RFC characters', () => {
    expect(escapeParamValue('a\nb"c\\d]e\0', 'raw')).toBe('a\nb\\"c\\\\d\\]e\0');
  });
});

describe('header and name repair', () => {
  it('toSdName keeps valid names and replaces what is not', () => {
    expect(toSdName('src_ip')).toBe('src_ip');
    expect(toSdName('a b=c]d"e')).toBe('a_b_c_d_e');
    expect(toSdName('x'.repeat(40))).toBe('x'.repeat(32));
    expect(toSdName('')).toBe('_');
  });

  it('toHeaderField maps empty to NILVALUE and cuts to the cap', () => {
    expect(toHeaderField('', 255)).toBeNull();
    expect(toHeaderField(null, 255)).toBeNull();
    expect(toHeaderField('décky 01', 255)).toBe('d_cky_01');
    expect(toHeaderField('a'.repeat(300), 255)).toBe('a'.repeat(255));
  });
});

describe('timestamps', () => {
  it("DECNET's TIMESTAMP is Python's isoformat() in UTC: +00:00, six digits, none when zero", () => {
    expect(decnetTimestamp('2024-05-01T12:00:00.123456Z')).toBe('2024-05-01T12:00:00.123456+00:00');
    expect(decnetTimestamp('2024-05-01T12:00:00.000000Z')).toBe('2024-05-01T12:00:00+00:00');
    expect(decnetTimestamp('2024-05-01T12:00:00.5Z')).toBe('2024-05-01T12:00:00.500000+00:00');
    expect(decnetTimestamp('2024-05-01T14:30:00.000001+02:30')).toBe('2024-05-01T12:00:00.000001+00:00');
    expect(decnetTimestamp('not a time')).toBeNull();
  });

  it('timestampToIso converts any RFC 5424 TIMESTAMP to UTC with microseconds', () => {
    expect(timestampToIso('2003-10-11T22:14:15.003Z')).toBe('2003-10-11T22:14:15.003000Z');
    expect(timestampToIso('2003-08-24T05:14:15.000003-07:00')).toBe('2003-08-24T12:14:15.000003Z');
    expect(timestampToIso('2024-02-29T00:00:00Z')).toBe('2024-02-29T00:00:00.000000Z');
    expect(timestampToIso('2023-02-29T00:00:00Z')).toBeNull();
    expect(timestampToIso('2024-01-01T00:00:60Z')).toBeNull(); // §6.2.3: no leap seconds
    expect(timestampToIso('0050-01-01T00:00:00Z')).toBe('0050-01-01T00:00:00.000000Z');
    expect(timestampToIso('2024-01-01t00:00:00z')).toBeNull(); // 'T' and 'Z' upper case
    expect(timestampToIso('0000-01-01T00:00:00+01:00')).toBeNull(); // before year 0 in UTC
  });
});

describe('eventToSyslog: DECNET lines byte for byte', () => {
  it("§6.1: syslog_line('sniffer', 'decky-01', 'tls_client_hello', src_ip='10.0.0.1')", () => {
    const line = eventToSyslog(
      { ts: '2026-06-20T10:00:00.123456Z', event_type: 'tls_client_hello', src_ip: '10.0.0.1' },
      { hostname: 'decky-01' },
    );
    expect(line).toBe(
      '<134>1 2026-06-20T10:00:00.123456+00:00 decky-01 sniffer - tls_client_hello [relay@55555 src_ip="10.0.0.1"]',
    );
  });

  it('tls_session and quic_client_hello are warnings (<132>), as in DECNET', () => {
    expect(eventSeverity('tls_session')).toBe(4);
    expect(eventSeverity('quic_client_hello')).toBe(4);
    expect(eventSeverity('tcp_syn_fingerprint')).toBe(6);
    const line = eventToSyslog(
      { ts: '2026-06-20T10:00:00Z', event_type: 'tls_session', src_ip: '10.0.0.1', ja3s: 'x' },
      { hostname: 'decky-01' },
    );
    expect(line).toBe(
      '<132>1 2026-06-20T10:00:00+00:00 decky-01 sniffer - tls_session [relay@55555 src_ip="10.0.0.1" ja3s="x"]',
    );
  });

  it('a DECNET-shaped tcp_syn_fingerprint gives the line DECNET writes (§2.2 order, lowercase booleans)', () => {
    // The Linux SYN of DECNET's tests (§6.1), fields in DECNET's emission order.
    const event = {
      ts: '2026-06-20T10:00:00.250000Z',
      event_type: 'tcp_syn_fingerprint',
      src_ip: '10.0.0.7',
      src_port: 40000,
      dst_ip: '192.168.1.10',
      dst_port: 22,
      ttl: 64,
      initial_ttl: 64,
      hop_distance: 0,
      window: 29200,
      mss: 1460,
      wscale: 7,
      options_sig: 'M,S,T,N,W',
      has_sack: true,
      has_timestamps: true,
      tos: 0,
      dscp: 0,
      ecn: 0,
      ipid_class: 'unknown',
      ipid_samples: 1,
      isn_class: 'unknown',
      isn_samples: 1,
      os_guess: 'linux',
    };
    expect(eventToSyslog(event, { hostname: 'decky-01' })).toBe(
      '<134>1 2026-06-20T10:00:00.250000+00:00 decky-01 sniffer - tcp_syn_fingerprint [relay@55555 ' +
        'src_ip="10.0.0.7" src_port="40000" dst_ip="192.168.1.10" dst_port="22" ttl="64" initial_ttl="64" ' +
        'hop_distance="0" window="29200" mss="1460" wscale="7" options_sig="M,S,T,N,W" has_sack="true" ' +
        'has_timestamps="true" tos="0" dscp="0" ecn="0" ipid_class="unknown" ipid_samples="1" ' +
        'isn_class="unknown" isn_samples="1" os_guess="linux"]',
    );
  });

  it('escapes like DECNET\'s _sd_escape: sni="evil]x.com" (bug W19\'s trigger)', () => {
    const line = eventToSyslog(
      { ts: '2026-06-20T10:00:00Z', event_type: 'tls_client_hello', src_ip: '10.0.0.1', sni: 'evil]x"y\\z' },
      { hostname: 'decky-01', decnetCompat: false },
    );
    expect(line).toBe(
      '<134>1 2026-06-20T10:00:00+00:00 decky-01 sniffer - tls_client_hello [relay@55555 src_ip="10.0.0.1" sni="evil\\]x\\"y\\\\z"]',
    );
  });

  it('a LF in a value never splits the line (DECNET bug W19 a)', () => {
    const line = eventToSyslog({
      ts: '2026-06-20T10:00:00Z',
      event_type: 'tls_client_hello',
      src_ip: '10.0.0.1',
      sni: 'a\n<134>1 2026-06-20T10:00:00+00:00 decky-01 sniffer - tls_client_hello [relay@55555 src_ip="6.6.6.6"]',
    });
    expect(line).not.toMatch(/[\r\n]/);
    expect(line.split('<134>1').length).toBe(3); // the forged header stays inside the sni value
    expect(line).toContain('sni="a\\n<134>1');
  });

  it('our own events: envelope first and last, DECNET compatibility params appended', () => {
    const line = eventToSyslog(
      {
        ts: '2026-06-20T10:00:00.000001Z',
        event_type: 'quic_client_hello',
        sensor_id: 'sensor-1',
        flow_id: 7,
        community_id: '1:abc=',
        src_ip: '2001:db8::1',
        src_port: 50000,
        dst_ip: '2001:db8::2',
        dst_port: 443,
        transport: 'udp',
        ja4: 'q13d0311h3_55b375c5d22e_3512bcbbc9ec',
        sni: null,
        alpn: ['h3'],
        ciphers: ['1301', '1302', '1303'],
        extensions: ['0000', '002b'],
        ech: false,
      },
      { hostname: 'decky-web' },
    );
    expect(line).toBe(
      '<132>1 2026-06-20T10:00:00.000001+00:00 decky-web sniffer - quic_client_hello [relay@55555 ' +
        'src_ip="2001:db8::1" src_port="50000" dst_ip="2001:db8::2" dst_port="443" ' +
        'ja4="q13d0311h3_55b375c5d22e_3512bcbbc9ec" alpn="h3" ciphers="1301,1302,1303" extensions="0000,002b" ' +
        'ech="false" sensor_id="sensor-1" flow_id="7" community_id="1:abc=" transport="udp" ' +
        'raw_ciphers="4865-4866-4867" raw_extensions="0-43" ja4_quic="q13d0311h3_55b375c5d22e_3512bcbbc9ec"]',
    );
  });

  it('HOSTNAME defaults to sensor_id, takes a function (decky by address), and is repaired', () => {
    const e = { ts: '2026-06-20T10:00:00Z', event_type: 'x', sensor_id: 'sensor 1', dst_ip: '10.0.0.5' };
    expect(eventToSyslog(e)).toMatch(/^<134>1 \S+ sensor_1 sniffer - x /);
    expect(eventToSyslog(e, { hostname: (ev) => (ev.dst_ip === '10.0.0.5' ? 'decky-05' : null) })).toMatch(
      /^<134>1 \S+ decky-05 sniffer - x /,
    );
    expect(eventToSyslog(e, { hostname: () => null })).toMatch(/^<134>1 \S+ - sniffer - x /);
  });

  it('an event without ts gets NILVALUE; an over-long event type is cut to 32 (MSGID)', () => {
    expect(eventToSyslog({ event_type: 'x'.repeat(40) }, { hostname: 'h' })).toBe(
      `<134>1 - h sniffer - ${'x'.repeat(32)} -`,
    );
  });
});

describe('encodeFieldValue', () => {
  it.each([
    ['s', 's'],
    [64, '64'],
    [0.55, '0.55'],
    [-1, '-1'],
    [true, 'true'],
    [false, 'false'],
    [null, null],
    [undefined, null],
    [Number.NaN, null],
    [['h2', 'http/1.1'], 'h2,http/1.1'],
    [[], ''],
    [['a,b'], '["a,b"]'],
    [[''], '[""]'],
    [[0, 1, 2], '[0,1,2]'],
    [{ dns: ['a.example'] }, '{"dns":["a.example"]}'],
  ])('%j -> %j', (v, want) => {
    expect(encodeFieldValue(v)).toBe(want);
  });
});
