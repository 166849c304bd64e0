// Format conformance and hostile input for parseRecordings.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseRecordings,
  type Recording,
  type RecordingsResult,
  type ScannedEvent,
  scanEventLine,
} from '../../../src/sessions/recording.js';

function ok(r: RecordingsResult): Extract<RecordingsResult, { ok: true }> {
  if (!r.ok) throw new Error(r.error);
  return r;
}
const lines = (...l: unknown[]): string =>
  `${l.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('\n')}\n`;
const times = (rec: Recording): number[] => rec.events.map((e) => e.t);

describe('asciicast v2', () => {
  const text = lines(
    {
      version: 2,
      width: 120,
      height: 40,
      timestamp: 1_700_000_000,
      command: 'bash',
      title: 't',
      env: { SHELL: '/bin/bash', TERM: 'xterm', SSH_CLIENT: '192.0.2.44 51234 22' },
    },
    [0.1, 'o', '$ '],
    [0.5, 'i', 'l'],
    [0.500123, 'o', 'l'],
    [1.25, 'm', 'marker'],
    [2, 'r', '100x30'],
  );

  it('reads the header and absolute event times', () => {
    const r = ok(parseRecordings(text));
    expect(r.skippedLines).toBe(0);
    const rec = r.sessions[0]!;
    expect(rec).toMatchObject({
      format: 'asciicast-v2',
      startedAt: 1_700_000_000,
      cols: 120,
      rows: 40,
      attackerIp: '192.0.2.44', // env SSH_CLIENT
      honeypot: null,
      service: null,
      sid: null,
    });
    expect(rec.events).toEqual([
      { t: 0.1, code: 'o', data: '$ ' },
      { t: 0.5, code: 'i', data: 'l' },
      { t: 0.500123, code: 'o', data: 'l' },
      { t: 1.25, code: 'm', data: 'marker' },
      { t: 2, code: 'r', data: '100x30' },
    ]);
  });

  it('takes attacker / honeypot / service from header keys before the file name', () => {
    const h = { version: 2, width: 80, height: 24, src_ip: '2001:db8::5', decky: 'web-3', service: 'telnet' };
    const rec = ok(parseRecordings(lines(h, [0, 'o', 'x']), '/x/203.0.113.7_decky-01_ssh_abc123.cast'))
      .sessions[0]!;
    expect(rec).toMatchObject({
      attackerIp: '2001:db8::5',
      honeypot: 'web-3',
      service: 'telnet',
      sid: 'abc123',
    });
  });

  it('takes them from the file name when the header has none; rejects non-IPs', () => {
    const h = { version: 2, width: 80, height: 24 };
    const a = ok(parseRecordings(lines(h), '203.0.113.7_decky-01_ssh_5f2c.cast')).sessions[0]!;
    expect(a).toMatchObject({ attackerIp: '203.0.113.7', honeypot: 'decky-01', service: 'ssh', sid: '5f2c' });
    const b = ok(parseRecordings(lines(h), '999.1.1.1_decky-01_ssh_5f2c.cast')).sessions[0]!;
    expect(b).toMatchObject({ attackerIp: null, honeypot: null, service: null });
    const c = ok(parseRecordings(lines({ ...h, peer: '198.51.100.3:40022' }))).sessions[0]!;
    expect(c.attackerIp).toBe('198.51.100.3');
    const d = ok(parseRecordings(lines({ ...h, peer: '[2001:db8::9]:22' }))).sessions[0]!;
    expect(d.attackerIp).toBe('2001:db8::9');
    const e = ok(parseRecordings(lines({ ...h, attacker_ip: 'not-an-ip' }))).sessions[0]!;
    expect(e.attackerIp).toBeNull();
  });

  it('clamps non-monotonic times and counts bad lines', () => {
    const r = ok(
      parseRecordings(
        lines(
          { version: 2, width: 80, height: 24 },
          [1, 'o', 'a'],
          [0.5, 'o', 'b'], // goes back: clamped to 1
          '[1e400, "o", "inf"]', // Infinity
          'NaN',
          '[NaN, "o", "x"]',
          { not: 'an array' },
          [2, 'o'], // too short
          [2, 'z', 'unknown code'],
          [2, 'o', 42], // data not a string
          [-1, 'o', 'neg'], // negative: clamped
          '[3, "o", "trunc',
        ),
      ),
    );
    const rec = r.sessions[0]!;
    expect(times(rec)).toEqual([1, 1, 1]);
    expect(r.skippedLines).toBe(8);
    expect(r.anomalies).toMatchObject({
      non_monotonic_time: 2,
      negative_time: 1,
      non_finite_time: 1,
      bad_json: 3,
      bad_event: 3,
      unknown_code: 1,
    });
  });
});

describe('asciicast v3', () => {
  it('accumulates intervals, ignores comments and blank lines, keeps the exit event', () => {
    const text = lines(
      '# leading comment',
      { version: 3, term: { cols: 100, rows: 50, type: 'xterm-256color' }, timestamp: 1_750_000_000 },
      [0.5, 'o', 'a'],
      '# a comment',
      '',
      [0.25, 'i', 'b'],
      [0.125, 'o', 'b'],
      [0.1, 'x', '0'],
    );
    const r = ok(parseRecordings(text));
    expect(r.skippedLines).toBe(0);
    const rec = r.sessions[0]!;
    expect(rec).toMatchObject({ format: 'asciicast-v3', cols: 100, rows: 50, startedAt: 1_750_000_000 });
    expect(times(rec)).toEqual([0.5, 0.75, 0.875, 0.975]);
    expect(rec.events[3]).toEqual({ t: 0.975, code: 'x', data: '0' });
  });

  it('accepts a numeric exit status and treats negative intervals as zero', () => {
    const r = ok(
      parseRecordings(
        lines({ version: 3, term: { cols: 80, rows: 24 } }, [1, 'o', 'a'], [-2, 'o', 'b'], [0, 'x', 1]),
      ),
    );
    expect(times(r.sessions[0]!)).toEqual([1, 1, 1]);
    expect(r.sessions[0]!.events[2]!.data).toBe('1');
    expect(r.anomalies.negative_time).toBe(1);
  });
});

describe('DECNET session shard', () => {
  const text = lines(
    {
      sid: 'A',
      hdr: { attacker_ip: '203.0.113.9', decky: 'decky-07', service: 'ssh', width: 90, height: 30 },
    },
    { sid: 'B', hdr: { peer: '198.51.100.77:5555', timestamp: 1_736_121_590 } },
    { sid: 'A', t: 1_736_121_600.5, ch: 'o', d: '$ ' },
    { sid: 'B', t: 1_736_121_601.0, ch: 'i', d: 'x' },
    { sid: 'A', t: 1_736_121_601.25, ch: 'i', d: 'l' },
    { sid: 'B', t: 1_736_121_601.5, ch: 'o', d: 'x' },
    { sid: 'A', t: 1_736_121_602, ch: 'o' }, // d missing: empty string
    { sid: 'C', t: 0.5, ch: 'i', d: 'r' }, // relative times, no header
    { sid: 'C', t: 1.5, ch: 'i', d: 's' },
    { sid: 'A', t: 'late', ch: 'o', d: 'bad' },
  );

  it('splits interleaved sessions by sid and normalises epoch times', () => {
    const r = ok(parseRecordings(text, 'decky-99/telnet/2025-01-06.jsonl'));
    expect(r.sessions.map((s) => s.sid)).toEqual(['A', 'B', 'C']);
    const [a, b, c] = r.sessions as [Recording, Recording, Recording];
    expect(a).toMatchObject({
      format: 'decnet-shard',
      startedAt: 1_736_121_600.5, // no header timestamp: the first event is the origin
      cols: 90,
      rows: 30,
      attackerIp: '203.0.113.9',
      honeypot: 'decky-07',
      service: 'ssh',
    });
    expect(a.events).toEqual([
      { t: 0, code: 'o', data: '$ ' },
      { t: 0.75, code: 'i', data: 'l' },
      { t: 1.5, code: 'o', data: '' },
    ]);
    expect(b).toMatchObject({
      startedAt: 1_736_121_590,
      attackerIp: '198.51.100.77',
      honeypot: 'decky-99',
      service: 'telnet',
    });
    expect(times(b)).toEqual([11, 11.5]);
    expect(c).toMatchObject({ startedAt: null });
    expect(times(c)).toEqual([0.5, 1.5]);
    expect(r.skippedLines).toBe(1);
    expect(r.anomalies).toMatchObject({ bad_event: 1, shard_event_without_header: 1 });
  });
});

describe('errors and hostile input', () => {
  it.each([
    ['', 'empty input'],
    ['\n\n  \n', 'empty input'],
    ['hello world\n', 'first line is not a JSON header object'],
    ['[0, "o", "x"]\n', 'first line is not a JSON header object'],
    ['{"version": 1, "width": 80, "height": 24, "stdout": []}', 'asciicast v1'],
    ['{"version": 9}', 'unsupported header version 9'],
    ['{"foo": 1}', 'neither "version" nor a DECNET'],
  ])('%j → error %s', (text, msg) => {
    const r = parseRecordings(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toContain(msg);
      expect(r.error).toContain('not an asciicast v2/v3 or DECNET session shard');
    }
  });

  it('skips a 10 MB line and a 10 MB header is an error', () => {
    const huge = `[1, "o", "${'A'.repeat(10 * 1024 * 1024)}"]`;
    const r = ok(
      parseRecordings(
        `${lines({ version: 2, width: 1, height: 1 }, [0.5, 'o', 'a'])}${huge}\n[2, "o", "b"]\n`,
      ),
    );
    expect(r.sessions[0]!.events.map((e) => e.data)).toEqual(['a', 'b']);
    expect(r.anomalies.line_too_long).toBe(1);
    const h = parseRecordings(`{"version": 2, "title": "${'x'.repeat(10 * 1024 * 1024)}"}\n`);
    expect(h.ok).toBe(false);
  });

  it('handles CRLF line ends and a BOM-free truncated file', () => {
    const r = ok(
      parseRecordings('{"version": 2, "width": 80, "height": 24}\r\n[0.5, "o", "a"]\r\n[1.0, "o", "b'),
    );
    expect(r.sessions[0]!.events).toHaveLength(1);
    expect(r.skippedLines).toBe(1);
  });

  it('is total over arbitrary text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), fc.option(fc.string()), (s, name) => {
        const r = parseRecordings(s, name ?? undefined);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('is total over arbitrary JSON lines after valid headers (property)', () => {
    const headers = [
      { version: 2, width: 80, height: 24 },
      { version: 3, term: { cols: 80, rows: 24 } },
      { sid: 's', hdr: {} },
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...headers),
        fc.array(
          fc.oneof(
            fc.jsonValue().map((v) => JSON.stringify(v)),
            fc
              .tuple(
                fc.oneof(fc.double(), fc.integer()),
                fc.constantFrom('i', 'o', 'x', 'm', 'r', 'q'),
                fc.string(),
              )
              .map((t) => JSON.stringify(t)),
            fc
              .record({
                sid: fc.constantFrom('s', 't', 1),
                t: fc.double(),
                ch: fc.constantFrom('i', 'o'),
                d: fc.string(),
              })
              .map((o) => JSON.stringify(o)),
            fc.string(),
          ),
          { maxLength: 30 },
        ),
        (header, body) => {
          const r = parseRecordings([JSON.stringify(header), ...body].join('\n'));
          expect(r.ok).toBe(true);
          if (r.ok)
            for (const s of r.sessions) {
              let prev = 0;
              for (const e of s.events) {
                expect(Number.isFinite(e.t)).toBe(true);
                expect(e.t).toBeGreaterThanOrEqual(prev);
                prev = e.t;
              }
            }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('values the database accepts', () => {
  const v2 = { version: 2, width: 80, height: 24 };

  it('startedAt outside [0, 9999-12-31T23:59:59Z] (with the duration) is null and counted', () => {
    const start = (timestamp: unknown, ...events: unknown[]) =>
      ok(parseRecordings(lines({ ...v2, timestamp }, ...events)));
    const huge = start(1e13, [0, 'o', 'x']);
    expect(huge.sessions[0]!.startedAt).toBeNull();
    expect(huge.anomalies.bad_timestamp).toBe(1);
    expect(start(-5).sessions[0]!.startedAt).toBeNull();
    expect(start(253_402_300_799).sessions[0]!.startedAt).toBe(253_402_300_799); // no events
    expect(start(253_402_300_799, [1, 'o', 'x']).sessions[0]!.startedAt).toBeNull(); // + 1 s
    expect(start(253_402_300_798, [1, 'o', 'x']).sessions[0]!.startedAt).toBe(253_402_300_798);
    expect(start('1700000000').sessions[0]!.startedAt).toBeNull(); // not a number: absent
    expect(start('1700000000').anomalies.bad_timestamp).toBeUndefined();
  });

  it('a shard header timestamp in milliseconds is null; the first event time is the origin', () => {
    const r = ok(
      parseRecordings(
        lines(
          { sid: 'B', hdr: { timestamp: 1_736_121_590_000 } },
          { sid: 'B', t: 1_736_121_601, ch: 'i', d: 'x' },
          { sid: 'B', t: 1_736_121_602, ch: 'o', d: 'x' },
        ),
      ),
    );
    expect(r.sessions[0]!.startedAt).toBe(1_736_121_601);
    expect(times(r.sessions[0]!)).toEqual([0, 1]);
    expect(r.anomalies.bad_timestamp).toBe(1);
  });

  it('a huge absolute shard time gives startedAt null', () => {
    const r = ok(parseRecordings(lines({ sid: 'Z', hdr: {} }, { sid: 'Z', t: 1e300, ch: 'o', d: 'a' })));
    expect(r.sessions[0]!.startedAt).toBeNull();
    expect(times(r.sessions[0]!)).toEqual([0]);
    expect(r.anomalies.bad_timestamp).toBe(1);
  });

  it('events more than 10 years (315360000 s) after the start are dropped and counted', () => {
    const r = ok(
      parseRecordings(lines({ ...v2, timestamp: 1_700_000_000 }, [1e13, 'o', 'x'], [315_360_000, 'o', 'ok'])),
    );
    const rec = r.sessions[0]!;
    expect(rec.events).toEqual([{ t: 315_360_000, code: 'o', data: 'ok' }]);
    expect(r.anomalies.time_out_of_range).toBe(1);
    expect(r.skippedLines).toBe(1);
    expect(new Date((1_700_000_000 + 315_360_000) * 1000).toISOString()).toBe('2033-11-11T22:13:20.000Z');
    // v3: a dropped interval does not advance the clock
    const v3 = ok(
      parseRecordings(
        lines({ version: 3, term: { cols: 80, rows: 24 } }, [1, 'o', 'a'], [1e13, 'o', 'b'], [0.5, 'o', 'c']),
      ),
    );
    expect(times(v3.sessions[0]!)).toEqual([1, 1.5]);
    // shard, relative times
    const sh = ok(parseRecordings(lines({ sid: 's', hdr: {} }, { sid: 's', t: 5e8, ch: 'o', d: 'x' })));
    expect(sh.sessions[0]!.events).toEqual([]);
  });

  it('metadata strings lose U+0000 and lone surrogates (→ U+FFFD); pairs are kept', () => {
    const h = { ...v2, sid: 'a\u0000b\ud800c', honeypot: '\u0000', service: 'ssh\udc00', hostname: 'x' };
    const rec = ok(parseRecordings(lines(h), '203.0.113.7_decky-01_telnet_id.cast')).sessions[0]!;
    expect(rec.sid).toBe('ab\ufffdc');
    expect(rec.honeypot).toBe('x'); // "\u0000" is empty once cleaned: the next key is used
    expect(rec.service).toBe('ssh\ufffd');
    expect(ok(parseRecordings(lines({ ...v2, sid: 'x😀' }))).sessions[0]!.sid).toBe('x😀');
    const fromName = ok(parseRecordings(lines(v2), '203.0.113.7_d_ssh_ab\ud800\u0000.cast')).sessions[0]!;
    expect(fromName.sid).toBe('ab\ufffd');
    const shard = ok(parseRecordings(lines({ sid: 'q\u0000', hdr: { decky: 'd\ud83d' } })));
    expect(shard.sessions[0]).toMatchObject({ sid: 'q', honeypot: 'd\ufffd' });
  });

  it('attacker IPs are canonical: zone ids dropped, IPv4-mapped → IPv4, RFC 5952 text', () => {
    const ip = (v: unknown, key = 'attacker_ip') =>
      ok(parseRecordings(lines({ ...v2, [key]: v }))).sessions[0]!.attackerIp;
    expect(ip('fe80::1%eth0')).toBe('fe80::1');
    expect(ip('[fe80::1%eth0]:22')).toBe('fe80::1');
    expect(ip('::ffff:1.2.3.4')).toBe('1.2.3.4');
    expect(ip('[::ffff:198.51.100.3]:22', 'peer')).toBe('198.51.100.3');
    expect(ip('2001:DB8:0:0::5')).toBe('2001:db8::5');
    expect(ip('1.2.3.4\u0000')).toBeNull();
    const env = ok(parseRecordings(lines({ ...v2, env: { SSH_CLIENT: 'fe80::2%enp0s3 5555 22' } })));
    expect(env.sessions[0]!.attackerIp).toBe('fe80::2');
  });
});

describe('the fast event-line reader agrees with JSON.parse', () => {
  const read = (line: string): ScannedEvent | null => {
    const out: ScannedEvent = { time: 0, code: '', data: '' };
    return scanEventLine(line, 0, line.length, out) ? out : null;
  };
  /** What JSON.parse makes of a line the reader took: the same three values, bit for bit. */
  const agrees = (line: string): boolean => {
    const got = read(line);
    if (got === null) return true; // left to JSON.parse
    const v = JSON.parse(line) as unknown[];
    return v.length === 3 && Object.is(v[0], got.time) && v[1] === got.code && v[2] === got.data;
  };

  it('reads the lines asciinema writes', () => {
    for (const line of [
      '[0.248364, "o", "\\u001b[?2004h$ "]',
      '[1.5, "i", "l"]',
      '[12, "r", "80x24"]',
      '[0.000001,"o","\\r\\n"]',
      '[-0.5, "i", "x"]',
      '  [ 3.25 , "m" , "" ]  \r',
      '[123456789.123456, "o", "✓ \\ud83d\\ude00 \\"q\\" \\\\"]',
    ]) {
      expect(read(line), line).not.toBeNull();
      expect(agrees(line), line).toBe(true);
    }
  });

  it('leaves every other shape to JSON.parse', () => {
    for (const line of [
      '[1e3, "o", "x"]', // exponent
      '[01.5, "o", "x"]', // leading zero: not JSON
      '[1., "o", "x"]',
      '[.5, "o", "x"]',
      '[1.1234567890123456, "o", "x"]', // more than 15 digits
      '[1, "x", 0]', // exit status as a number
      '[1, "o", "x", "extra"]',
      '[1, "o"]',
      '[1, "o", "x"] trailing',
      '[1, "o", "a\tb"]', // a raw control character: not JSON
      '[1, "o", "x"',
      '{"t": 1}',
      '\ufeff[1, "o", "x"]',
    ])
      expect(read(line), line).toBeNull();
  });

  it('never differs from JSON.parse on generated lines', () => {
    const num = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
      fc
        .integer({ min: 0, max: 10 ** 9 })
        .chain((i) => fc.integer({ min: 0, max: 9 }).map((k) => (i / 10 ** k).toFixed(k))),
      fc.constantFrom('0', '-0', '0.0', '-0.000001', '999999999999999', '9007199254740993', '1.5e2'),
    );
    const str = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme' }),
      fc.constantFrom('\u001b[0m', '\\', '"', '\r\n', '\ud800'),
    );
    const ws = fc.constantFrom('', ' ', '  ', '\t');
    fc.assert(
      fc.property(num, str, str, ws, ws, ws, (t, c, d, w1, w2, w3) => {
        const line = `${w1}[${t},${w2}${JSON.stringify(c)},${w3}${JSON.stringify(d)}]${w1}`;
        const got = read(line);
        if (got === null) return true;
        const v = JSON.parse(line) as unknown[];
        return Object.is(v[0], got.time) && v[1] === got.code && v[2] === got.data;
      }),
      { numRuns: 3000 },
    );
    // Mangled lines: whatever the reader takes, JSON.parse must read the same way.
    fc.assert(
      fc.property(
        num,
        str,
        fc.integer({ min: 0, max: 40 }),
        fc.string({ maxLength: 2 }),
        (t, d, at, junk) => {
          const good = `[${t}, "o", ${JSON.stringify(d)}]`;
          const line = good.slice(0, at) + junk + good.slice(at);
          let parsed: unknown;
          try {
            parsed = JSON.parse(line);
          } catch {
            return read(line) === null;
          }
          return !Array.isArray(parsed) || parsed.length !== 3 ? read(line) === null : agrees(line);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
