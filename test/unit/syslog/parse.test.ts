// parseRfc5424: RFC 5424 §6 grammar, §6.3.3 escapes, and DECNET's parser bugs (W19) not repeated.
import { describe, expect, it } from 'vitest';
import { SYSLOG_MAX_SD_ELEMENTS, SYSLOG_MAX_SD_PARAMS } from '../../../src/syslog/limits.js';
import type { SyslogMessage } from '../../../src/syslog/message.js';
import { parseRfc5424, type SyslogParseOptions, sdParams } from '../../../src/syslog/parse.js';

function ok(line: string | Uint8Array, opts?: SyslogParseOptions): SyslogMessage {
  const r = parseRfc5424(line, opts);
  if (!r.ok) throw new Error(`expected a message, got ${r.error.code} at ${r.error.offset}`);
  return r.message;
}

function code(line: string | Uint8Array, opts?: SyslogParseOptions): string {
  const r = parseRfc5424(line, opts);
  return r.ok ? 'ok' : r.error.code;
}

describe('RFC 5424 §6.5 examples', () => {
  it('example 1: no STRUCTURED-DATA, MSG with BOM', () => {
    const m = ok(
      "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \uFEFF'su root' failed for lonvick on /dev/pts/8",
    );
    expect(m).toEqual({
      facility: 4,
      severity: 2,
      timestamp: '2003-10-11T22:14:15.003Z',
      hostname: 'mymachine.example.com',
      appName: 'su',
      procId: null,
      msgId: 'ID47',
      structuredData: [],
      msg: "'su root' failed for lonvick on /dev/pts/8",
      msgBom: true,
    });
  });

  it('example 2: offset timestamp, PROCID, no BOM', () => {
    const m = ok(
      "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
    );
    expect(m.procId).toBe('8710');
    expect(m.msgId).toBeNull();
    expect(m.msg).toBe("%% It's time to make the do-nuts.");
    expect(m.msgBom).toBeUndefined();
  });

  it('examples 3 and 4: SD-ELEMENTs with and without MSG', () => {
    const sd =
      '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]';
    const m = ok(`<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 ${sd}`);
    expect(m.structuredData).toEqual([
      {
        id: 'exampleSDID@32473',
        params: [
          ['iut', '3'],
          ['eventSource', 'Application'],
          ['eventID', '1011'],
        ],
      },
      { id: 'examplePriority@32473', params: [['class', 'high']] },
    ]);
    expect(m.msg).toBeNull();
    const m3 = ok(
      `<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 ${sd} \uFEFFAn application event`,
    );
    expect(m3.msg).toBe('An application event');
  });

  it('all NILVALUE', () => {
    expect(ok('<0>1 - - - - - -')).toMatchObject({
      facility: 0,
      severity: 0,
      timestamp: null,
      structuredData: [],
    });
  });
});

describe('PARAM-VALUE (§6.3.3)', () => {
  const sd = (inner: string) => ok(`<134>1 - h app - id [x@1 ${inner}]`).structuredData[0]!.params;

  it('unescapes \\" \\\\ \\]', () => {
    expect(sd('v="a\\"b\\\\c\\]d"')).toEqual([['v', 'a"b\\c]d']]);
  });

  it('keeps any other backslash sequence unaltered', () => {
    expect(sd('v="C:\\new\\x41\\\\"')).toEqual([['v', 'C:\\new\\x41\\']]);
    expect(sd('v="\\n\\t\\u2028"')).toEqual([['v', '\\n\\t\\u2028']]);
  });

  it('decodes deckscope control escapes only when asked', () => {
    const line = '<134>1 - h app - id [x@1 v="a\\nb\\r\\t\\x00\\x85\\u2028\\ud800\\\\n\\xZZ"] m\\nsg\\\\n';
    const m = ok(line, { unescapeControls: true });
    expect(m.structuredData[0]!.params[0]![1]).toBe('a\nb\r\t\0\u0085\u2028\ud800\\n\\xZZ');
    expect(m.msg).toBe('m\nsg\\n');
  });

  it('a raw "]" inside quotes is data, and the next params survive (DECNET loses them)', () => {
    expect(sd('a="x]y" b="z"')).toEqual([
      ['a', 'x]y'],
      ['b', 'z'],
    ]);
  });

  it("W19 b reproduced in DECNET: sni='evil]x.com' left only src_ip; here every param survives", () => {
    const line =
      '<134>1 2026-06-20T10:00:00+00:00 decky-01 sniffer - tls_client_hello [relay@55555 src_ip="10.0.0.1" ' +
      'sni="evil\\]x.com" ja3="e7d705a3286e19ea42f587b344ee6865" alpn="h2,http/1.1"]';
    expect(sdParams(ok(line))).toEqual({
      src_ip: '10.0.0.1',
      sni: 'evil]x.com',
      ja3: 'e7d705a3286e19ea42f587b344ee6865',
      alpn: 'h2,http/1.1',
    });
  });

  it('CR, LF and NUL inside a value survive (octet-counted or UDP messages carry them)', () => {
    expect(sd('v="a\nb\r\n\0c" w="d"')).toEqual([
      ['v', 'a\nb\r\n\0c'],
      ['w', 'd'],
    ]);
  });

  it('empty values, repeated names and an element without params', () => {
    const m = ok('<134>1 - h app - id [a@1 k="" k="2"][b@1]');
    expect(m.structuredData).toEqual([
      {
        id: 'a@1',
        params: [
          ['k', ''],
          ['k', '2'],
        ],
      },
      { id: 'b@1', params: [] },
    ]);
    expect(sdParams(m)).toEqual({ k: '' });
    expect(sdParams(m, 'b@1')).toEqual({});
  });

  it('a forged element inside a value stays a value', () => {
    const m = ok(
      '<134>1 - h app - id [relay@55555 ua="x\\"\\] [relay@55555 src_ip=\\"6.6.6.6\\"\\]" src_ip="10.0.0.1"]',
    );
    expect(m.structuredData).toHaveLength(1);
    expect(sdParams(m)).toEqual({ ua: 'x"] [relay@55555 src_ip="6.6.6.6"]', src_ip: '10.0.0.1' });
  });
});

describe('bytes and text', () => {
  it('decodes UTF-8; invalid bytes become U+FFFD and are reported', () => {
    const bytes = new TextEncoder().encode('<134>1 - h app - id [x@1 v="é😀"] msg');
    expect(ok(bytes).structuredData[0]!.params[0]![1]).toBe('é😀');
    const bad = Uint8Array.from([...new TextEncoder().encode('<134>1 - h app - id - '), 0xff, 0x41]);
    const r = parseRfc5424(bad);
    expect(r.ok && r.message.msg).toBe('\uFFFDA');
    expect(r.ok && r.anomalies).toEqual(['invalid_utf8']);
  });

  it('drops one trailing LF or CRLF unless told not to', () => {
    expect(ok('<134>1 - h app - id - m\r\n').msg).toBe('m');
    expect(ok('<134>1 - h app - id - m\n\n').msg).toBe('m\n');
    expect(ok('<134>1 - h app - id - m\n', { trimTrailingNewline: false }).msg).toBe('m\n');
  });

  it('tolerates what DECNET-era senders do, and says so', () => {
    const naive = parseRfc5424('<134>1 2026-06-20T10:00:00.123456 h app - id -');
    expect(naive.ok && naive.anomalies).toEqual(['timestamp_no_offset']);
    const dup = parseRfc5424('<134>1 - h app - id [a@1 k="1"][a@1 k="2"]');
    expect(dup.ok && dup.anomalies).toEqual(['duplicate_sd_id']);
    const sp = parseRfc5424('<134>1 - h app - id [a@1  k="1" ]');
    expect(sp.ok && sdParams(sp.message)).toEqual({ k: '1' });
    const long = parseRfc5424(`<134>1 - h app - id [a@1 ${'n'.repeat(40)}="1"]`);
    expect(long.ok && long.anomalies).toEqual(['long_sd_name']);
  });
});

describe('errors', () => {
  it.each([
    ['', 'empty'],
    ['hello', 'bad_pri'],
    ['<>1 - - - - - -', 'bad_pri'],
    ['<192>1 - - - - - -', 'bad_pri'],
    ['<1341 - - - - - -', 'bad_pri'],
    ['<134>2 - - - - - -', 'bad_version'],
    ['<134>10 - - - - - -', 'bad_version'],
    ['<134> - - - - - -', 'bad_version'],
    ['<134>1  - - - - -', 'bad_timestamp'],
    ['<134>1 2003-13-11T22:14:15Z - - - - -', 'bad_timestamp'],
    ['<134>1 Oct 11 22:14:15 - - - - -', 'bad_timestamp'],
    [`<134>1 - ${'h'.repeat(256)} - - - -`, 'bad_hostname'],
    ['<134>1 - h\u00e9 - - - -', 'bad_hostname'],
    [`<134>1 - - ${'a'.repeat(49)} - - -`, 'bad_app_name'],
    [`<134>1 - - - ${'p'.repeat(129)} - -`, 'bad_procid'],
    [`<134>1 - - - - ${'m'.repeat(33)} -`, 'bad_msgid'],
    ['<134>1 - - - - -', 'bad_header'],
    ['<134>1 - - - - - ', 'bad_sd'],
    ['<134>1 - - - - - x', 'bad_sd'],
    ['<134>1 - - - - - -x', 'bad_sd'],
    ['<134>1 - - - - - [a@1 k="v"]x', 'bad_sd'],
    ['<134>1 - - - - - [a@1 k="v"', 'bad_sd'],
    ['<134>1 - - - - - [a@1 k=v]', 'bad_sd'],
    ['<134>1 - - - - - [a@1 k="v"k2="w"]', 'bad_sd'],
    ['<134>1 - - - - - []', 'bad_sd_id'],
    ['<134>1 - - - - - [a=b k="v"]', 'bad_sd_id'],
    ['<134>1 - - - - - [a@1', 'bad_sd_id'],
    ['<134>1 - - - - - [a@1 k]', 'bad_param_name'],
    ['<134>1 - - - - - [a@1 ="v"]', 'bad_param_name'],
    ['<134>1 - - - - - [a@1 k"="v"]', 'bad_param_name'],
    ['<134>1 - - - - - [a@1 k="v]', 'unterminated_value'],
    ['<134>1 - - - - - [a@1 k="v\\"]', 'unterminated_value'],
    ['<134>1 - - - - - [a@1 k="v\\', 'unterminated_value'],
  ])('%j -> %s', (line, want) => {
    expect(code(line)).toBe(want);
  });

  it('caps size, SD-ELEMENTs and SD-PARAMs', () => {
    expect(code('<134>1 - - - - - - xyz', { maxBytes: 10 })).toBe('too_long');
    expect(code(new Uint8Array(11), { maxBytes: 10 })).toBe('too_long');
    const els = Array.from({ length: SYSLOG_MAX_SD_ELEMENTS + 1 }, (_, i) => `[e${i}@1]`).join('');
    expect(code(`<134>1 - - - - - ${els}`)).toBe('too_many_elements');
    const params = Array.from({ length: SYSLOG_MAX_SD_PARAMS + 1 }, (_, i) => ` k${i}="v"`).join('');
    expect(code(`<134>1 - - - - - [a@1${params}]`)).toBe('too_many_params');
  });

  it('reports where it stopped', () => {
    const r = parseRfc5424('<134>1 - - - - - [a@1 k="v" bad]');
    expect(r).toEqual({ ok: false, error: { code: 'bad_param_name', offset: 31 } });
  });
});
