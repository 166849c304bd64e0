// Properties over generated and hostile input: the parser and the framer never throw, stay
// bounded, and what we format comes back exactly.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatRfc5424 } from '../../../src/syslog/format.js';
import { SyslogFramer } from '../../../src/syslog/framer.js';
import { honeypotRecord } from '../../../src/syslog/honeypot.js';
import { SYSLOG_MAX_SD_PARAMS } from '../../../src/syslog/limits.js';
import type { SdElement, SyslogMessage } from '../../../src/syslog/message.js';
import { parseRfc5424 } from '../../../src/syslog/parse.js';

const RUNS = 1000;
const enc = new TextEncoder();

/** Characters that matter to the grammar, mixed with any UTF-16 unit (lone surrogates included). */
const nastyChar = fc.oneof(
  fc.constantFrom(
    '"',
    '\\',
    ']',
    '[',
    '=',
    ' ',
    '\n',
    '\r',
    '\0',
    '<',
    '>',
    '-',
    '\uFEFF',
    '\u2028',
    'n',
    'x',
    'u',
  ),
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
);
const nastyString = fc.string({ unit: nastyChar, maxLength: 40 });
const sdNameChar = fc
  .integer({ min: 33, max: 126 })
  .filter((c) => c !== 61 && c !== 93 && c !== 34)
  .map((c) => String.fromCharCode(c));
const sdName = fc.string({ unit: sdNameChar, minLength: 1, maxLength: 32 });
const headerField = (max: number) =>
  fc.option(
    fc
      .string({
        unit: fc.integer({ min: 33, max: 126 }).map((c) => String.fromCharCode(c)),
        minLength: 1,
        maxLength: max,
      })
      .filter((s) => s !== '-'),
    { nil: null },
  );

const message: fc.Arbitrary<SyslogMessage> = fc.record({
  facility: fc.integer({ min: 0, max: 23 }),
  severity: fc.integer({ min: 0, max: 7 }),
  timestamp: fc.option(
    fc
      .date({
        min: new Date('1970-01-01T00:00:00Z'),
        max: new Date('2100-01-01T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString()),
    { nil: null },
  ),
  hostname: headerField(255),
  appName: headerField(48),
  procId: headerField(128),
  msgId: headerField(32),
  structuredData: fc.uniqueArray(
    fc.record({
      id: sdName,
      params: fc.array(fc.tuple(sdName, nastyString), { maxLength: 6 }),
    }) as fc.Arbitrary<SdElement>,
    { selector: (e) => e.id, maxLength: 4 },
  ),
  msg: fc.option(
    nastyString.filter((s) => s !== ''),
    { nil: null },
  ),
});

/** Lone surrogates cannot be written as UTF-8: raw mode turns them into U+FFFD. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
function wellFormed(m: SyslogMessage): boolean {
  const texts = [m.msg ?? '', ...m.structuredData.flatMap((e) => e.params.map(([, v]) => v))];
  return texts.every((t) => !LONE_SURROGATE.test(t));
}

describe('format then parse is the identity', () => {
  it('escape mode, parsed with unescapeControls: every value, name and MSG exactly', () => {
    fc.assert(
      fc.property(message, (m) => {
        const line = formatRfc5424(m);
        expect(line).not.toMatch(/[\r\n]/);
        const r = parseRfc5424(line, { unescapeControls: true });
        expect(r.ok).toBe(true);
        if (r.ok) expect(r.message).toEqual(m);
      }),
      { numRuns: RUNS },
    );
  });

  it('raw mode, bytes, RFC-strict parse: exact for well-formed text (MSG without a trailing LF)', () => {
    fc.assert(
      fc.property(message, (m) => {
        fc.pre(wellFormed(m));
        fc.pre(m.msg === null || (!m.msg.endsWith('\n') && !m.msg.startsWith('\uFEFF')));
        const r = parseRfc5424(enc.encode(formatRfc5424(m, { controls: 'raw' })));
        expect(r.ok).toBe(true);
        if (r.ok) expect(r.message).toEqual(m);
      }),
      { numRuns: RUNS },
    );
  });
});

/** A valid line to mutate. */
const SAMPLE =
  '<134>1 2026-06-20T10:00:00.123456+00:00 decky-01 sniffer - tls_client_hello [relay@55555 src_ip="10.0.0.1" ' +
  'sni="a\\"b\\]c\\\\" alpn="h2"][x@1 k="v"] msg';

const edit = fc.record({
  at: fc.nat(),
  del: fc.integer({ min: 0, max: 4 }),
  ins: fc.string({ unit: nastyChar, maxLength: 6 }),
});

describe('the parser is total and bounded', () => {
  it('never throws on arbitrary text or bytes', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: nastyChar, maxLength: 300 }), fc.uint8Array({ maxLength: 300 })),
        (x) => {
          const r = parseRfc5424(x);
          expect(typeof r.ok).toBe('boolean');
        },
      ),
      { numRuns: RUNS * 3 },
    );
  });

  it('never throws on edits of a valid line, and a parsed result always formats back', () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 6 }), (edits) => {
        let s = SAMPLE;
        for (const e of edits) {
          const at = e.at % (s.length + 1);
          s = s.slice(0, at) + e.ins + s.slice(at + e.del);
        }
        const r = parseRfc5424(s);
        // What the formatter refuses on purpose: names over 32, a repeated SD-ID; and an empty MSG.
        if (
          r.ok &&
          !r.anomalies.some((a) => a === 'long_sd_name' || a === 'duplicate_sd_id') &&
          r.message.msg !== ''
        ) {
          const again = parseRfc5424(formatRfc5424(r.message), { unescapeControls: true });
          expect(again.ok && again.message).toEqual(r.message);
          honeypotRecord(r.message); // total as well
        }
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('takes linear time on adversarial 64 KiB input', () => {
    const inputs = [
      `<134>1 - h a - m [x@1${' k="\\\\'.repeat(10_000)}`,
      `<134>1 - h a - m [x@1${' k="v"'.repeat(SYSLOG_MAX_SD_PARAMS - 1)}${' k="\\"'.repeat(8000)}"]`,
      `<134>1 - h a - m ${'[x@1]'.repeat(12_000)}`,
      `<134>1 - h a - m [x@1 k="${'\\x'.repeat(30_000)}"]`,
      `<${'1'.repeat(60_000)}`,
    ];
    for (const s of inputs) {
      const t = performance.now();
      for (let i = 0; i < 20; i++) parseRfc5424(s.slice(0, 65_000), { unescapeControls: true });
      expect(performance.now() - t).toBeLessThan(1000);
    }
  });
});

describe('the framer is total and bounded', () => {
  it('never throws; frames are never larger than the limit nor more bytes than came in', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 20 }),
        fc.integer({ min: 1, max: 300 }),
        (chunks, max) => {
          const f = new SyslogFramer({ maxMessageBytes: max, maxSkipBytes: max * 4 });
          let inBytes = 0;
          let outBytes = 0;
          for (const c of chunks) {
            inBytes += c.length;
            for (const m of f.push(c)) {
              expect(m.length).toBeLessThanOrEqual(max);
              outBytes += m.length;
            }
          }
          for (const m of f.end()) {
            expect(m.length).toBeLessThanOrEqual(max);
            outBytes += m.length;
          }
          expect(outBytes).toBeLessThanOrEqual(inBytes);
        },
      ),
      { numRuns: RUNS },
    );
  });

  const payload = fc
    .string({ unit: nastyChar, minLength: 1, maxLength: 80 })
    .map((s) => `<134>1 - h a - m - ${s}`);
  const cuts = fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 10 });

  function feed(bytes: Uint8Array, sizes: number[]): Uint8Array[] {
    const f = new SyslogFramer();
    const out: Uint8Array[] = [];
    let i = 0;
    for (let k = 0; i < bytes.length; k++) {
      const n = sizes[k % sizes.length]!;
      out.push(...f.push(bytes.subarray(i, i + n)));
      i += n;
    }
    out.push(...f.end());
    return out;
  }

  it('octet counting returns exactly the messages sent, however the stream is cut', () => {
    fc.assert(
      fc.property(fc.array(payload, { minLength: 1, maxLength: 8 }), cuts, (msgs, sizes) => {
        const framed = msgs.map((m) => {
          const b = enc.encode(m);
          return Uint8Array.from([...enc.encode(`${b.length} `), ...b]);
        });
        const stream = Uint8Array.from(framed.flatMap((x) => [...x]));
        expect(feed(stream, sizes)).toEqual(msgs.map((m) => enc.encode(m)));
      }),
      { numRuns: RUNS },
    );
  });

  it('newline framing returns exactly the lines sent, however the stream is cut', () => {
    fc.assert(
      fc.property(
        fc.array(
          payload.map((p) => p.replace(/[\r\n]/g, '')),
          { minLength: 1, maxLength: 8 },
        ),
        cuts,
        (lines, sizes) => {
          const stream = enc.encode(lines.map((l) => `${l}\n`).join(''));
          expect(feed(stream, sizes)).toEqual(lines.map((l) => enc.encode(l)));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('quote-aware framing returns our escaped lines exactly, however the stream is cut', () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 6 }), cuts, (msgs, sizes) => {
        const lines = msgs.map((m) => formatRfc5424(m));
        const stream = enc.encode(lines.map((l) => `${l}\n`).join(''));
        const got = feed(stream, sizes).map((b) => new TextDecoder().decode(b));
        expect(got).toEqual(lines);
      }),
      { numRuns: RUNS },
    );
  });
});
