import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSmtpClient, type SmtpClientSession } from '../../../../src/parsers/smtp/client.js';
import { smtpEnvelopeFields } from '../../../../src/parsers/smtp/fields.js';
import {
  MAX_AUTH_MECHANISMS,
  MAX_COMMAND_VERBS_KEPT,
  MAX_EHLO_KEYWORDS,
  MAX_HELO_CHARS,
  MAX_MAIL_FROM_DOMAINS,
  MAX_RCPT_DOMAINS,
  MAX_REPLY_CODES_KEPT,
  MAX_TEXT_CHARS,
} from '../../../../src/parsers/smtp/limits.js';
import { parseSmtpServer, type SmtpServerSession } from '../../../../src/parsers/smtp/server.js';
import { mutate, mutations } from '../../../helpers/mutation.js';

const RUNS = 2000;
const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

/** Every code parseSmtpClient may report (its doc comment and address.ts list them). */
const CLIENT_ANOMALIES = new Set([
  'not_smtp',
  'unterminated_line',
  'too_many_commands',
  'bad_bdat_size',
  'bare_lf',
  'bare_cr',
  'control_characters',
  'line_too_long',
  'unknown_command',
  'missing_helo_argument',
  'helo_too_long',
  'helo_contains_at',
  'lhlo',
  'bad_mail_syntax',
  'bad_rcpt_syntax',
  'space_after_colon',
  'utf8_without_smtputf8',
  'bad_auth_mechanism',
  'data_with_argument',
  'no_message_after_data',
  'bare_lf_in_data',
  'bare_cr_in_data',
  'data_end_bare_lf',
  'data_line_too_long',
  'plaintext_after_starttls',
  'starttls_with_argument',
  'data_after_quit',
  'bad_path',
  'missing_angle_brackets',
  'source_route',
  'bad_domain',
  'bad_utf8_domain',
  'domain_too_long',
  'bad_address_literal',
  'general_address_literal',
  'bad_parameter',
  'junk_after_path',
]);
const SERVER_ANOMALIES = new Set([
  'not_smtp',
  'malformed_reply',
  'unterminated_line',
  'too_many_replies',
  'bare_lf',
  'bare_cr',
  'control_characters',
  'line_too_long',
  'inconsistent_multiline_code',
  'greeting_not_220',
  'bad_ehlo_keyword',
  'tls_without_220',
]);
/** What an escaped text field may contain: printable ASCII only (ssh/text.ts). */
const PRINTABLE = /^[\x20-\x7e]*$/;

function checkClient(data: Uint8Array, r: SmtpClientSession): void {
  for (const a of r.anomalies) expect(CLIENT_ANOMALIES.has(a), a).toBe(true);
  expect(new Set(r.anomalies).size).toBe(r.anomalies.length);
  expect(r.end).toBeLessThanOrEqual(data.length);
  expect(r.tlsOffset).toBeLessThanOrEqual(data.length);
  expect(r.rcptDomains.length).toBeLessThanOrEqual(MAX_RCPT_DOMAINS);
  expect(r.rcptDomains.length).toBeLessThanOrEqual(r.rcptCount);
  expect(new Set(r.rcptDomains).size).toBe(r.rcptDomains.length);
  expect(r.mailFromDomains.length).toBeLessThanOrEqual(MAX_MAIL_FROM_DOMAINS);
  expect(r.commands.length).toBeLessThanOrEqual(MAX_COMMAND_VERBS_KEPT);
  expect(r.authMechanisms.length).toBeLessThanOrEqual(MAX_AUTH_MECHANISMS);
  if (r.helo !== null) {
    expect(r.helo.length).toBeLessThanOrEqual(MAX_HELO_CHARS);
    expect(r.helo).toMatch(PRINTABLE);
    expect(r.helo).not.toContain('@');
  }
  if (r.xMailer !== null) expect(r.xMailer.length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
  for (const d of [...r.rcptDomains, ...r.mailFromDomains]) {
    expect(d).not.toMatch(/[@\s<>"]/);
    expect(d.length).toBeGreaterThan(0);
  }
  if (!r.isSmtp) expect(r.commands).toEqual([]);
  expect(JSON.parse(JSON.stringify(smtpEnvelopeFields(r)))).toBeTypeOf('object');
}

function checkServer(data: Uint8Array, r: SmtpServerSession): void {
  for (const a of r.anomalies) expect(SERVER_ANOMALIES.has(a), a).toBe(true);
  expect(new Set(r.anomalies).size).toBe(r.anomalies.length);
  expect(r.end).toBeLessThanOrEqual(data.length);
  expect(r.replyCodes.length).toBeLessThanOrEqual(MAX_REPLY_CODES_KEPT);
  expect(r.extensions.length).toBeLessThanOrEqual(MAX_EHLO_KEYWORDS);
  for (const t of [r.banner, r.hostName, r.software, r.ehloHost]) {
    if (t === null) continue;
    expect(t).toMatch(PRINTABLE);
    expect(t.length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
  }
  for (const c of r.replyCodes) expect(c >= 200 && c <= 599).toBe(true);
}

const CLIENT_SESSION = ascii(
  'EHLO client.example\r\nAUTH LOGIN\r\ndXNlcg==\r\ncGFzcw==\r\nMAIL FROM:<"a@b"@x.example> SIZE=10\r\n' +
    'RCPT TO:<@r.example:c@y.example>\r\nRCPT TO:<d@[IPv6:2001:db8::1]>\r\nDATA\r\nX-Mailer: m\r\n\r\nbody\r\n.\r\n' +
    'BDAT 3 LAST\r\nabcQUIT\r\n',
);
const SERVER_SESSION = ascii(
  '220-mx.example ESMTP\r\n220 hello\r\n250-mx.example\r\n250-AUTH PLAIN LOGIN\r\n250-SIZE 100\r\n' +
    '250 STARTTLS\r\n220 go ahead\r\n\x16\x03\x03\x00\x01\x00',
);

describe('parsers never throw and stay bounded', () => {
  it('random bytes (client and server)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (data) => {
        checkClient(data, parseSmtpClient(data));
        checkServer(data, parseSmtpServer(data));
      }),
      { numRuns: RUNS },
    );
  });

  it('random lines behind a valid opening', () => {
    const line = fc.oneof(
      fc.string({ unit: 'binary-ascii', maxLength: 80 }),
      fc.constantFrom(
        'MAIL FROM:',
        'RCPT TO:',
        'DATA',
        'BDAT ',
        'AUTH ',
        'STARTTLS',
        '250-',
        '250 ',
        '.',
        '',
      ),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(line, line), { maxLength: 40 }),
        fc.constantFrom('\r\n', '\n', '\r'),
        (ls, eol) => {
          const text = ls.map(([a, b]) => a + b).join(eol);
          const client = ascii(`EHLO x\r\n${text}`);
          const server = ascii(`220 x\r\n${text}`);
          checkClient(client, parseSmtpClient(client));
          checkServer(server, parseSmtpServer(server));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('mutated valid sessions', () => {
    fc.assert(
      fc.property(mutations, (edits) => {
        const c = mutate(CLIENT_SESSION, edits);
        const s = mutate(SERVER_SESSION, edits);
        checkClient(c, parseSmtpClient(c));
        checkServer(s, parseSmtpServer(s));
      }),
      { numRuns: RUNS },
    );
  });

  it('the valid sessions themselves', () => {
    const c = parseSmtpClient(CLIENT_SESSION);
    expect(c).toMatchObject({
      status: 'ok',
      quit: true,
      messages: 2,
      rcptCount: 2,
      anomalies: ['source_route'],
    });
    const s = parseSmtpServer(SERVER_SESSION);
    expect(s).toMatchObject({ status: 'ok', tlsOffset: SERVER_SESSION.length - 6, anomalies: [] });
  });
});

// ---- Model-based: generated envelopes; domains come out normalised, local parts never come out. ----

/** A local part with a distinctive core ("lp" + 8 random letters: 26^8 values, so finding the core in
 *  the output can only mean it leaked), dressed in one of the RFC 5321 forms. */
const localPart = fc
  .tuple(
    fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), minLength: 8, maxLength: 8 }),
    fc.constantFrom('plain', 'dots', 'atext', 'quoted-at', 'quoted-space', 'quoted-escape', 'utf8', 'upper'),
  )
  .map(([core, form]) => {
    const c = `lp${core}`;
    const text = {
      plain: c,
      dots: `${c.slice(0, 4)}.${c.slice(4)}`,
      atext: `${c}+tag!#$%&'*/=?^_\`{|}~-x`,
      'quoted-at': `"${c}@inside"`,
      'quoted-space': `"${c} with <space>"`,
      'quoted-escape': `"${c}\\"\\\\>x"`,
      utf8: `ü${c}ñ`,
      upper: c.toUpperCase(),
    }[form];
    return {
      core: c,
      text,
      bare: form === 'plain' || form === 'dots' || form === 'atext' || form === 'upper',
    };
  });

const asciiLabel = fc.string({
  unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-'),
  minLength: 1,
  maxLength: 12,
});
const unicodeLabel = fc.string({
  unit: fc.constantFrom(...'abcüéñßçøå例子广告ДОМЕН'),
  minLength: 1,
  maxLength: 8,
});

/** A domain as sent (random case) with its expected normalised form. */
const domain = fc.oneof(
  fc.array(fc.oneof(asciiLabel, unicodeLabel), { minLength: 1, maxLength: 4 }).chain((labels) =>
    fc
      .array(fc.boolean(), { minLength: labels.join('.').length, maxLength: labels.join('.').length })
      .map((ups) => {
        const d = labels.join('.');
        const sent = [...d].map((ch, i) => (ups[i] ? ch.toUpperCase() : ch)).join('');
        return { sent, want: sent.toLowerCase() };
      }),
  ),
  fc.ipV4().map((ip) => ({ sent: `[${ip}]`, want: `[${ip}]` })),
  fc.ipV6().map((ip) => ({ sent: `[IPv6:${ip.toUpperCase()}]`, want: `[IPv6:${ip.toLowerCase()}]` })),
);

const address = fc.record({
  local: localPart,
  domain,
  route: fc.boolean(),
  brackets: fc.boolean(),
  params: fc.constantFrom('', ' SIZE=100', ' BODY=8BITMIME', ' NOTIFY=NEVER'),
  authParam: fc.boolean(),
});
type Address = typeof address extends fc.Arbitrary<infer T> ? T : never;

function pathText(a: Address): string {
  const mailbox = `${a.local.text}@${a.domain.sent}`;
  const bracketed = a.brackets || !a.local.bare;
  const inner = a.route ? `@relay-a.example,@relay-b.example:${mailbox}` : mailbox;
  // Parameter values are xtext (RFC 3461 §4): no spaces, so only the core goes there.
  const extra = a.authParam ? ` AUTH=<${a.local.core}@x.example> ORCPT=rfc822;${a.local.core}@x.example` : '';
  return `${bracketed ? `<${inner}>` : inner} SMTPUTF8${a.params}${extra}`;
}

describe('generated envelopes', () => {
  it('domains are extracted and normalised; no local part ever appears in the output', () => {
    fc.assert(
      fc.property(
        fc.option(address, { nil: null }),
        fc.array(address, { maxLength: 8 }),
        fc.constantFrom('EHLO', 'HELO'),
        (from, rcpts, hello) => {
          const lines = [`${hello} client.example`];
          lines.push(from === null ? 'MAIL FROM:<> SMTPUTF8' : `MAIL FROM:${pathText(from)}`);
          for (const r of rcpts) lines.push(`RCPT TO:${pathText(r)}`);
          lines.push('DATA', `From: ${from?.local.text ?? 'x'}@example.com`, '', 'hi', '.', 'QUIT');
          const data = utf8(lines.map((l) => `${l}\r\n`).join(''));
          const r = parseSmtpClient(data);
          checkClient(data, r);
          expect(r.status).toBe('ok');
          expect(r.mailFromDomain).toBe(from === null ? null : from.domain.want);
          expect(r.nullSender).toBe(from === null);
          expect(r.rcptDomains).toEqual([...new Set(rcpts.map((a) => a.domain.want))]);
          expect(r.rcptCount).toBe(rcpts.length);
          expect(r.heloKind).toBe(hello.toLowerCase());
          expect(r.quit).toBe(true);
          for (const a of r.anomalies) expect(['source_route', 'missing_angle_brackets']).toContain(a);
          const json = JSON.stringify([r, smtpEnvelopeFields(r)]).toLowerCase();
          for (const a of [from, ...rcpts]) {
            if (a === null) continue;
            expect(json).not.toContain(a.local.core);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
