// SyslogFramer: RFC 6587 octet counting and newline framing, detected per connection, split at
// every position, bounded, resynchronising after garbage, and quote-aware for DECNET's raw LFs.
import { describe, expect, it } from 'vitest';
import { SyslogFramer, type SyslogFramerOptions } from '../../../src/syslog/framer.js';
import { parseRfc5424, sdParams } from '../../../src/syslog/parse.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const b = (s: string) => enc.encode(s);
const octet = (m: string) => `${enc.encode(m).length} ${m}`;

const M1 =
  '<134>1 2026-06-20T10:00:00+00:00 decky-01 sniffer - tls_client_hello [relay@55555 src_ip="10.0.0.1"]';
const M2 =
  '<134>1 2026-06-20T10:00:01+00:00 decky-02 ftp - auth_attempt [relay@55555 username="röot" x="a\\"b\\]"]';
const M3 = '<38>1 - decky-03 sshd 812 - - Failed password for root from 198.51.100.23 port 40022 ssh2';

function all(framer: SyslogFramer, chunks: Uint8Array[]): string[] {
  const out: string[] = [];
  for (const c of chunks) for (const f of framer.push(c)) out.push(dec.decode(f));
  for (const f of framer.end()) out.push(dec.decode(f));
  return out;
}

function run(
  stream: string | Uint8Array,
  opts?: SyslogFramerOptions,
  chunk = 0,
): { frames: string[]; framer: SyslogFramer } {
  const bytes = typeof stream === 'string' ? b(stream) : stream;
  const framer = new SyslogFramer(opts);
  const chunks: Uint8Array[] = [];
  if (chunk <= 0) chunks.push(bytes);
  else for (let i = 0; i < bytes.length; i += chunk) chunks.push(bytes.subarray(i, i + chunk));
  return { frames: all(framer, chunks), framer };
}

describe('newline framing', () => {
  const stream = `${M1}\n${M2}\r\n${M3}\n`;

  it('splits on LF, drops a CR before it, detects the framing', () => {
    const { frames, framer } = run(stream);
    expect(frames).toEqual([M1, M2, M3]);
    expect(framer.framing).toBe('non-transparent');
    expect(framer.stats.nonTransparent).toBe(3);
  });

  it('gives the same frames whatever the split point, and byte by byte', () => {
    const bytes = b(stream);
    for (let i = 0; i <= bytes.length; i++) {
      const framer = new SyslogFramer();
      expect(all(framer, [bytes.subarray(0, i), bytes.subarray(i)])).toEqual([M1, M2, M3]);
    }
    expect(run(stream, {}, 1).frames).toEqual([M1, M2, M3]);
  });

  it('returns a last line without LF at end(), skips empty lines', () => {
    expect(run(`\n\n${M1}\n\n${M3}`).frames).toEqual([M1, M3]);
  });

  it('a line that is not syslog is still a frame (the parser judges it) and the next one follows', () => {
    const { frames } = run(`garbage line\n12 not octets\n${M1}\n`);
    expect(frames).toEqual(['garbage line', '12 not octets', M1]);
    expect(parseRfc5424(frames[0]!).ok).toBe(false);
  });

  it('skips an oversize line without buffering it, then continues', () => {
    const big = `<134>1 - h a - m - ${'x'.repeat(5000)}`;
    const { frames, framer } = run(`${M1}\n${big}\n${M3}\n`, { maxMessageBytes: 1024 }, 100);
    expect(frames).toEqual([M1, M3]);
    expect(framer.stats.oversize).toBe(1);
  });

  it('a line of exactly the limit passes', () => {
    const m = `<134>1 - h a - m - ${'x'.repeat(100 - 19)}`;
    expect(m.length).toBe(100);
    expect(run(`${m}\n`, { maxMessageBytes: 100 }).frames).toEqual([m]);
  });
});

describe("quote-aware newline framing (DECNET's raw LF in values, bug W19 a)", () => {
  // What DECNET writes when an attacker's SNI holds LF + a forged line: the LF is raw.
  const forged =
    '<134>1 2026-06-20T10:00:00+00:00 decky-01 sniffer - tcp_syn_fingerprint [relay@55555 src_ip=\\"6.6.6.6\\"\\]';
  const decnetLine = `<134>1 2026-06-20T10:00:00+00:00 decky-01 sniffer - tls_client_hello [relay@55555 src_ip="10.0.0.1" sni="evil\n${forged}" ja3="abc"]`;

  it('keeps the LF inside the value: one message, every param, no forged line', () => {
    const { frames } = run(`${decnetLine}\n${M3}\n`);
    expect(frames).toHaveLength(2);
    const r = parseRfc5424(frames[0]!);
    expect(r.ok && sdParams(r.message)).toEqual({
      src_ip: '10.0.0.1',
      sni: `evil\n${forged.replaceAll('\\', '')}`,
      ja3: 'abc',
    });
    expect(frames[1]).toBe(M3);
  });

  it('at every split point', () => {
    const bytes = b(`${decnetLine}\n${M1}\n`);
    const want = run(bytes).frames;
    for (let i = 0; i <= bytes.length; i++) {
      expect(all(new SyslogFramer(), [bytes.subarray(0, i), bytes.subarray(i)])).toEqual(want);
    }
  });

  it('off: a plain split, as DECNET does', () => {
    expect(run(`${decnetLine}\n`, { quoteAware: false }).frames).toHaveLength(2);
  });

  it('a stray quote costs only its own message: cut at its first in-value LF, the rest split plainly', () => {
    const stray = '<134>1 - h a - m [x@1 k="never closed';
    const filler = 'filler '.repeat(100).trimEnd();
    const { frames, framer } = run(
      `${stray}\n${M1}\n${M2}\n${filler}\n${M3}\n${M1}\n`,
      { maxMessageBytes: 1024 },
      37,
    );
    expect(frames).toEqual([stray, M1, M2, filler, M3, M1]);
    expect(framer.stats.resplits).toBe(1);
  });

  it('at end of stream, an unterminated value is cut at its LF too', () => {
    const stray = '<134>1 - h a - m [x@1 k="open';
    expect(run(`${stray}\n${M1}`).frames).toEqual([stray, M1]);
  });

  it('only RFC 5424 messages are scanned for quotes', () => {
    expect(run('not "syslog\nline two\n').frames).toEqual(['not "syslog', 'line two']);
    expect(run('<134>1 - h a - m - msg with "quote\nnext\n').frames).toEqual([
      '<134>1 - h a - m - msg with "quote',
      'next',
    ]);
  });
});

describe('octet counting', () => {
  const stream = [M1, M2, M3].map(octet).join('');

  it('reads LEN SP MSG frames and detects the framing', () => {
    const { frames, framer } = run(stream);
    expect(frames).toEqual([M1, M2, M3]);
    expect(framer.framing).toBe('octet-counting');
    expect(framer.stats.octetCounted).toBe(3);
  });

  it('gives the same frames whatever the split point, and byte by byte', () => {
    const bytes = b(stream);
    for (let i = 0; i <= bytes.length; i++) {
      expect(all(new SyslogFramer(), [bytes.subarray(0, i), bytes.subarray(i)])).toEqual([M1, M2, M3]);
    }
    expect(run(stream, {}, 1).frames).toEqual([M1, M2, M3]);
  });

  it('carries LF, CR and NUL inside a message', () => {
    const m = '<134>1 - h a - m [x@1 v="a\nb\r\n\0c"] tail\nline';
    expect(run(octet(m) + octet(M1)).frames).toEqual([m, M1]);
  });

  it('tolerates a LF after each frame (senders that add one)', () => {
    expect(run(`${octet(M1)}\n${octet(M2)}\n`).frames).toEqual([M1, M2]);
  });

  it('skips an oversize frame exactly, without buffering, and stays in sync', () => {
    const big = `<134>1 - h a - m - ${'x'.repeat(5000)}`;
    const { frames, framer } = run(octet(M1) + octet(big) + octet(M3), { maxMessageBytes: 1024 }, 64);
    expect(frames).toEqual([M1, M3]);
    expect(framer.stats.oversize).toBe(1);
    expect(framer.stats.garbageBytes).toBe(0);
  });

  it('resynchronises after garbage at the next LEN SP <', () => {
    const garbage = 'zz\x00\xff 99x 7 y 123 x';
    const { frames, framer } = run(octet(M1) + garbage + octet(M2) + octet(M3));
    expect(frames).toEqual([M1, M2, M3]);
    expect(framer.stats.garbageBytes).toBe(b(garbage).length);
  });

  it('resynchronises at every split point', () => {
    const bytes = b(`${octet(M1)}junk 5 ${octet(M2)}`);
    for (let i = 0; i <= bytes.length; i++) {
      const f = new SyslogFramer();
      expect(all(f, [bytes.subarray(0, i), bytes.subarray(i)])).toEqual([M1, M2]);
      expect(f.stats.garbageBytes).toBe(7);
    }
  });

  it('an absurd length is garbage, not a reason to swallow the stream', () => {
    const { frames, framer } = run(`99999999 ${octet(M1)}`, { maxMessageBytes: 1024, maxSkipBytes: 4096 });
    expect(frames).toEqual([M1]);
    expect(framer.stats.garbageBytes).toBe(9);
  });

  it("a '<' frame in an octet-counted connection is read up to LF", () => {
    expect(run(`${octet(M1)}${M2}\n${octet(M3)}`).frames).toEqual([M1, M2, M3]);
  });

  it('counts a frame cut short by the end of the stream', () => {
    const { frames, framer } = run(octet(M1) + octet(M2).slice(0, 30));
    expect(frames).toEqual([M1]);
    expect(framer.stats.truncated).toBe(1);
  });
});

describe('connections', () => {
  it('each framer detects its own framing (mixed framings across connections)', () => {
    const a = new SyslogFramer();
    const c = new SyslogFramer();
    const octetBytes = b(octet(M1) + octet(M2));
    const lineBytes = b(`${M1}\n${M2}\n`);
    const got: string[][] = [[], []];
    for (let i = 0; i < Math.max(octetBytes.length, lineBytes.length); i += 5) {
      for (const f of a.push(octetBytes.subarray(i, i + 5))) got[0]!.push(dec.decode(f));
      for (const f of c.push(lineBytes.subarray(i, i + 5))) got[1]!.push(dec.decode(f));
    }
    expect(got).toEqual([
      [M1, M2],
      [M1, M2],
    ]);
    expect([a.framing, c.framing]).toEqual(['octet-counting', 'non-transparent']);
  });

  it('a newline connection never reads digits as an octet count', () => {
    expect(run(`${M1}\n${octet(M2)}\n`).frames).toEqual([M1, octet(M2)]);
  });

  it('end() resets the framer for reuse', () => {
    const f = new SyslogFramer();
    all(f, [b(octet(M1))]);
    expect(f.framing).toBe('octet-counting');
    expect(all(f, [b(`${M2}\n`)])).toEqual([M2]);
    expect(f.framing).toBe('non-transparent');
  });
});
